/*
 * Random point reads through libskyshelve's sky_get from a plain C main thread (a foreign thread,
 * as Node's is): the cost of the native call without koffi or JavaScript. Writes 200,000 records of
 * 100 bytes in requests of 1,000, then reads each once in a shuffled order, 3 passes.
 * bench/RESULTS.md, "Point reads: the native call alone against classic-level". Build and run:
 * gcc -O2 -o /tmp/get-floor bench/get-floor.c -ldl && /tmp/get-floor native/build/libskyshelve.so "$(mktemp -d)"
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
typedef int32_t (*open_fn)(uint8_t*, int32_t, uint8_t*, int32_t);
typedef int32_t (*write_fn)(int32_t, uint8_t*, int32_t, uint8_t*, int32_t);
typedef int32_t (*get_fn)(int32_t, uint8_t*, int32_t, uint8_t*, int32_t);
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double cpu(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec / 1e9; }
#define N 200000
static void key(int i, uint8_t* k) { k[0] = 0x20; sprintf((char*)k + 1, "user:%011d", i); k[17] = 0; }
int main(int argc, char** argv) {
  void* h = dlopen(argv[1], RTLD_NOW);
  if (!h) { fprintf(stderr, "%s\n", dlerror()); return 1; }
  open_fn op = (open_fn)dlsym(h, "sky_open"); write_fn wr = (write_fn)dlsym(h, "sky_write"); get_fn gt = (get_fn)dlsym(h, "sky_get");
  static uint8_t out[1 << 16];
  char cfg[512]; snprintf(cfg, sizeof cfg, "{\"path\":\"%s\"}", argv[2]);
  int32_t db = op((uint8_t*)cfg, strlen(cfg), out, sizeof out);
  if (db <= 0) { fprintf(stderr, "open %d %s\n", db, out + 4); return 1; }
  static uint8_t req[1 << 20]; uint8_t val[101]; val[0] = 2;
  srand(1);
  for (int b = 0; b < N; b += 1000) {
    int pos = 4; uint32_t c = 1000; memcpy(req, &c, 4);
    for (int i = b; i < b + 1000; i++) {
      req[pos++] = 1; uint32_t kl = 18; memcpy(req + pos, &kl, 4); pos += 4; key(i, req + pos); pos += 18;
      uint32_t vl = 101; memcpy(req + pos, &vl, 4); pos += 4; for (int j = 1; j < 101; j++) val[j] = rand(); memcpy(req + pos, val, 101); pos += 101;
    }
    int32_t rc = wr(db, req, pos, out, sizeof out); if (rc < 0) { fprintf(stderr, "write %d\n", rc); return 1; }
  }
  int* order = malloc(sizeof(int) * N); for (int i = 0; i < N; i++) order[i] = i;
  for (int i = N - 1; i > 0; i--) { int j = rand() % (i + 1); int t = order[i]; order[i] = order[j]; order[j] = t; }
  uint8_t k[32];
  for (int r = 0; r < 3; r++) {
    double t0 = now(), c0 = cpu();
    for (int i = 0; i < N; i++) { key(order[i], k); int32_t rc = gt(db, k, 18, out, sizeof out); if (rc != 101) { fprintf(stderr, "get %d\n", rc); return 1; } }
    double dt = now() - t0, dc = cpu() - c0;
    printf("C round %d: %.0f gets/s, %.2f us CPU\n", r, N / dt, dc / N * 1e6);
  }
  return 0;
}
