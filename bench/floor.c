/* The floor of the FFI boundary benchmark: the same signature as sky_noop, in plain C. */
#include <stdint.h>

int32_t sky_noop(int32_t x) { return x + 1; }
