// Test-only stand-in for Windows' bcryptprimitives.dll, which Wine 8.0 (Debian 12) lacks. Go 1.24+
// calls its ProcessPrng at start-up on every Windows process, so without it a Go DLL cannot even load
// under that Wine. Real Windows 10 and later ship the DLL; this file is never packaged. It answers
// ProcessPrng from BCryptGenRandom (the system RNG), which Wine 8.0 implements.
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) return FALSE;
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
