package main

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// BenchmarkGetManySplit is get_many of n shuffled keys over 200k 100-byte records, sequential
// against split, interleaved in one process; ns/op is per key. -benchtime 200000x for a stable figure.
func BenchmarkGetManySplit(b *testing.B) {
	d := newFloorData()
	out := make([]byte, 64*1024)
	h := doOpen([]byte(floorConfig(b.TempDir())), out)
	if h <= 0 {
		b.Fatalf("open: rc %d: %s", h, message(out))
	}
	defer closeHandle(h)
	for start := 0; start < floorN; start += floorBatch {
		req := binary.LittleEndian.AppendUint32(nil, floorBatch)
		for i := start; i < start+floorBatch; i++ {
			req = putBytes(putBytes(append(req, opPut), d.key(i)), d.val(i))
		}
		if rc := doWrite(h, req, out); rc != 0 {
			b.Fatalf("fill rc %d", rc)
		}
	}
	big := make([]byte, 256*1024)
	saved := splitMinKeys
	defer func() { splitMinKeys = saved }()
	for _, n := range []int{16, 64, 128, 256, 1000} {
		for _, mode := range []string{"seq", "split"} {
			b.Run(fmt.Sprintf("%d/%s", n, mode), func(b *testing.B) {
				splitMinKeys = map[string]int{"seq": 1 << 30, "split": 1}[mode]
				getManyInBatches(b, h, d, n, big)
			})
		}
	}
}
