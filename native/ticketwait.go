package main

// Why a C wait for tickets: a batch of 1,000 puts commits in ~1 ms, longer than a caller's spin, so
// many such writes get a ticket (pending.go) even though nothing stalls. Polling the ticket from a
// 1 ms timer added up to a millisecond to each. Instead the main thread's JavaScript runs
// sky_ticket_wait on koffi's thread pool (a .async call): plain C that sleeps in futex(FUTEX_WAIT)
// until the committer marks the ticket done, then JavaScript polls once. The waiting thread never
// enters Go, so no Go scheduler hand-off (20-80 ms under compaction) is on its path. Workers keep
// the timer: a koffi .async call in flight when a Worker is torn down aborts the process.
//
// Each ticket signals the word of its slot (ticket mod ticketSlots) by storing its own number
// there. A waiter whose slot was taken by a later ticket before it looked simply sleeps until its
// timeout, after which JavaScript polls: the result is never wrong, only late, and that needs
// ticketSlots tickets issued in between. Other platforms: sky_ticket_wait returns 1 at once.

/*
#include <stdint.h>

#define SKY_TICKET_SLOTS 1024

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#endif

static uint32_t sky_ticket_words[SKY_TICKET_SLOTS];

static uint32_t *sky_ticket_word(int32_t ticket) {
	return &sky_ticket_words[(uint32_t)ticket % SKY_TICKET_SLOTS];
}

// Marks ticket done and wakes every thread waiting on its slot.
#if !defined(_WIN32)
__attribute__((visibility("hidden")))
#endif
void sky_ticket_done(int32_t ticket) {
	uint32_t *w = sky_ticket_word(ticket);
	__atomic_store_n(w, (uint32_t)ticket, __ATOMIC_SEQ_CST);
#if defined(__linux__)
	syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
#endif
}

#if defined(__linux__)
static int64_t sky_now_micros(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
#endif

// Blocks until ticket is done (0) or timeoutMicros passed (1); 1 at once off Linux. Never enters Go.
#if defined(_WIN32)
__declspec(dllexport)
#endif
int32_t sky_ticket_wait(int32_t ticket, int32_t timeoutMicros) {
	if (ticket <= 0) return -9;
#if defined(__linux__)
	uint32_t *w = sky_ticket_word(ticket);
	int64_t deadline = sky_now_micros() + (timeoutMicros > 0 ? timeoutMicros : 0);
	for (;;) {
		uint32_t seen = __atomic_load_n(w, __ATOMIC_SEQ_CST);
		if (seen == (uint32_t)ticket) return 0;
		int64_t left = deadline - sky_now_micros();
		if (left <= 0) return 1;
		struct timespec ts = { (time_t)(left / 1000000), (long)(left % 1000000) * 1000 };
		syscall(SYS_futex, w, FUTEX_WAIT_PRIVATE, seen, &ts, NULL, 0);
	}
#else
	(void)timeoutMicros;
	return 1;
#endif
}
*/
import "C"

// ticketSlots is SKY_TICKET_SLOTS: tickets this far apart share a word.
const ticketSlots = 1024

// signalTicket tells a thread in sky_ticket_wait that ticket's commit is done.
func signalTicket(ticket int32) {
	C.sky_ticket_done(C.int32_t(ticket))
}

// waitTicket is sky_ticket_wait, for Go tests (which cannot call C themselves).
func waitTicket(ticket int32, timeoutMicros int32) int32 {
	return int32(C.sky_ticket_wait(C.int32_t(ticket), C.int32_t(timeoutMicros)))
}
