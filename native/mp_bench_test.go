package main

import "testing"

// BenchmarkClientGetRoundTrip is one get of a 100-byte value through a client handle: this
// process to a child owner process over the socket and back.
func BenchmarkClientGetRoundTrip(b *testing.B) {
	dir := b.TempDir()
	owner := startChild(b, "owner", mpConfig(dir))
	owner.expect(b, "ready")
	h := openCfg(b, mpConfig(dir))
	out := make([]byte, 4096)
	if rc := routeWrite(h, encodeWrite([]writeOp{put("k", string(make([]byte, 100)))}), out); rc != 0 {
		b.Fatal(rc)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if rc := routeGet(h, []byte("k"), out); rc != 100 {
			b.Fatal(rc)
		}
	}
}
