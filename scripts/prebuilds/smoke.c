// Loads a prebuilt libskyshelve at run time (dlopen, or LoadLibrary on Windows) and drives it through
// the C ABI of docs/ABI.md: open, write, get, has, scan, close, reopen. Used by test-prebuilds.mjs for
// targets this machine cannot run natively (linux-arm64 under qemu-user, win32-x64 under wine64).
// Usage: smoke <library> <store directory> [sky_symbol ...]   (every listed symbol must resolve)
// Prints "ok - ..." / "not ok - ..." per check; exits 1 when any check failed.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
typedef HMODULE lib_t;
static lib_t lib_open(const char *path) { return LoadLibraryA(path); }
static void *lib_sym(lib_t lib, const char *name) { return (void *)GetProcAddress(lib, name); }
static unsigned long lib_error(void) { return GetLastError(); }
#else
#include <dlfcn.h>
typedef void *lib_t;
static lib_t lib_open(const char *path) { return dlopen(path, RTLD_NOW | RTLD_LOCAL); }
static void *lib_sym(lib_t lib, const char *name) { return dlsym(lib, name); }
static unsigned long lib_error(void) { return 0; }
#endif

typedef int32_t (*open_fn)(const uint8_t *, int32_t, uint8_t *, int32_t);
typedef int32_t (*handle_fn)(int32_t, uint8_t *, int32_t);
typedef int32_t (*key_fn)(int32_t, const uint8_t *, int32_t, uint8_t *, int32_t);
typedef int32_t (*next_fn)(int32_t, int32_t, uint8_t *, int32_t);

static int failures;
static uint8_t out[1 << 16];

static void check(const char *what, int ok, long got) {
  if (ok) printf("ok - %s\n", what);
  else { printf("not ok - %s (got %ld)\n", what, got); failures++; }
  fflush(stdout);
}

static void put_u32(uint8_t *p, uint32_t v) { p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24; }
static uint32_t get_u32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/** Appends one write op `[u8 op][u32 keyLen][key][u32 valLen][val]` at p; returns the new end. */
static uint8_t *op(uint8_t *p, uint8_t code, const char *key, const char *val) {
  size_t k = strlen(key), v = val ? strlen(val) : 0;
  *p++ = code;
  put_u32(p, (uint32_t)k); memcpy(p + 4, key, k); p += 4 + k;
  put_u32(p, (uint32_t)v); if (v) memcpy(p + 4, val, v); return p + 4 + v;
}

static int32_t open_store(lib_t lib, const char *dir) {
  char cfg[4096];
  snprintf(cfg, sizeof cfg, "{\"path\":\"%s\"}", dir);  // the runner passes a path without quotes or backslashes
  return ((open_fn)lib_sym(lib, "sky_open"))((const uint8_t *)cfg, (int32_t)strlen(cfg), out, sizeof out);
}

static int value_is(key_fn get, int32_t h, const char *key, const char *want) {
  int32_t n = get(h, (const uint8_t *)key, (int32_t)strlen(key), out, sizeof out);
  return n == (int32_t)strlen(want) && memcmp(out, want, n) == 0;
}

/** Scans the whole store and checks it holds exactly a=1, b=2, c=3 in key order. */
static void scan(lib_t lib, int32_t h) {
  uint8_t spec[9] = {0};  // no flags, empty lower and upper bound: everything, forward
  int32_t it = ((key_fn)lib_sym(lib, "sky_iter_open"))(h, spec, sizeof spec, out, sizeof out);
  check("sky_iter_open returns an iterator handle", it > 0, it);
  int32_t n = ((next_fn)lib_sym(lib, "sky_iter_next"))(it, 100, out, sizeof out);
  check("sky_iter_next returns the 3 entries", n == 3, n);
  const char *want[] = {"a", "1", "b", "2", "c", "3"};
  const uint8_t *p = out;
  int ordered = n == 3;
  for (int i = 0; ordered && i < 6; i++) {
    uint32_t len = get_u32(p);
    ordered = len == strlen(want[i]) && memcmp(p + 4, want[i], len) == 0;
    p += 4 + len;
  }
  check("the scan yields a=1, b=2, c=3 in key order", ordered, n);
  check("sky_iter_next then reports the end", ((next_fn)lib_sym(lib, "sky_iter_next"))(it, 100, out, sizeof out) == 0, -1);
  int32_t rc = ((handle_fn)lib_sym(lib, "sky_iter_close"))(it, out, sizeof out);
  check("sky_iter_close", rc == 0, rc);
}

static void exercise(lib_t lib, const char *dir) {
  key_fn get = (key_fn)lib_sym(lib, "sky_get"), has = (key_fn)lib_sym(lib, "sky_has");
  handle_fn close_ = (handle_fn)lib_sym(lib, "sky_close");
  int32_t h = open_store(lib, dir);
  check("sky_open returns a handle", h > 0, h);
  uint8_t req[256], *p = req + 4;
  put_u32(req, 4);
  p = op(p, 1, "b", "2"); p = op(p, 1, "a", "1"); p = op(p, 1, "c", "3"); p = op(p, 1, "d", "4");
  int32_t rc = ((key_fn)lib_sym(lib, "sky_write"))(h, req, (int32_t)(p - req), out, sizeof out);
  check("sky_write puts 4 keys in one batch", rc == 0, rc);
  put_u32(req, 1);
  p = op(req + 4, 2, "d", NULL);
  rc = ((key_fn)lib_sym(lib, "sky_write"))(h, req, (int32_t)(p - req), out, sizeof out);
  check("sky_write deletes a key", rc == 0, rc);
  check("sky_get reads a value", value_is(get, h, "b", "2"), -1);
  rc = get(h, (const uint8_t *)"d", 1, out, sizeof out);
  check("sky_get of a deleted key gives NOT_FOUND (-3)", rc == -3, rc);
  check("sky_has finds a key", has(h, (const uint8_t *)"c", 1, out, sizeof out) == 1, -1);
  scan(lib, h);
  rc = close_(h, out, sizeof out);
  check("sky_close", rc == 0, rc);
  rc = close_(h, out, sizeof out);
  check("sky_close of a closed handle gives CLOSED (-4)", rc == -4, rc);
  h = open_store(lib, dir);
  check("sky_open again on the same directory", h > 0, h);
  check("the values survived close and reopen", value_is(get, h, "a", "1") && value_is(get, h, "c", "3"), -1);
  rc = close_(h, out, sizeof out);
  check("sky_close after reopen", rc == 0, rc);
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s <library> <store dir> [sky_symbol ...]\n", argv[0]); return 2; }
  lib_t lib = lib_open(argv[1]);
  if (!lib) {
#ifndef _WIN32
    fprintf(stderr, "dlopen: %s\n", dlerror());
#endif
    check("the library loads", 0, (long)lib_error());
    return 1;
  }
  check("the library loads", 1, 0);
  int missing = 0;
  for (int i = 3; i < argc; i++) {
    if (!lib_sym(lib, argv[i])) { printf("# missing export %s\n", argv[i]); missing++; }
  }
  char what[64];
  snprintf(what, sizeof what, "exports all %d sky_* functions of docs/ABI.md", argc - 3);
  check(what, missing == 0 && argc > 3, missing);
  if (missing == 0) exercise(lib, argv[2]);
  return failures ? 1 : 0;
}
