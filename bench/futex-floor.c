/*
 * The cheapest way for two processes to hand a request over and back while sleeping in between:
 * a shared page and futex wait/wake, no socket. Prints the CPU time of each side and the wall time
 * per round trip. Compare with BenchmarkUDSFloor (native/uds_floor_test.go), the same over a Unix
 * socket. Build and run: gcc -O2 -o /tmp/futex-floor bench/futex-floor.c && /tmp/futex-floor 200000
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long futex(atomic_int *word, int op, int val) { return syscall(SYS_futex, word, op, val, NULL, NULL, 0); }

static double cpu_us(void) {
  struct rusage r;
  getrusage(RUSAGE_SELF, &r);
  return r.ru_utime.tv_sec * 1e6 + r.ru_utime.tv_usec + r.ru_stime.tv_sec * 1e6 + r.ru_stime.tv_usec;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100000;
  atomic_int *turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (turn == MAP_FAILED) return 1;
  *turn = 1; /* 0: the server's turn, 1: the client's */
  if (fork() == 0) {
    double c0 = cpu_us();
    for (int i = 0; i < n; i++) {
      while (atomic_load(turn) != 0) futex(turn, FUTEX_WAIT, 1);
      atomic_store(turn, 1);
      futex(turn, FUTEX_WAKE, 1);
    }
    printf("server: %.2f us CPU per round trip\n", (cpu_us() - c0) / n);
    return 0;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  double c0 = cpu_us();
  for (int i = 0; i < n; i++) {
    atomic_store(turn, 0);
    futex(turn, FUTEX_WAKE, 1);
    while (atomic_load(turn) != 1) futex(turn, FUTEX_WAIT, 0);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double wall = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
  printf("client: %.2f us CPU, %.2f us wall per round trip\n", (cpu_us() - c0) / n, wall / n);
  wait(NULL);
  return 0;
}
