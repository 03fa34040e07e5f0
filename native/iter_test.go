package main

import (
	"encoding/binary"
	"reflect"
	"testing"
)

// drain reads every entry's key in chunks of `max` through a buffer of `size` bytes.
func drain(t *testing.T, h int32, spec iterSpec, max int32, size int) []string {
	t.Helper()
	out := make([]byte, size)
	id := openIter(h, encodeSpec(spec), out)
	if id <= 0 {
		t.Fatalf("iter open rc %d", id)
	}
	defer closeIter(id)
	var keys []string
	for {
		n := nextChunk(id, max, out)
		if n < 0 {
			t.Fatalf("next rc %d", n)
		}
		if n == 0 {
			return keys
		}
		if n > max {
			t.Fatalf("chunk of %d over max %d", n, max)
		}
		pos := 0
		for i := int32(0); i < n; i++ {
			kl := int(binary.LittleEndian.Uint32(out[pos:]))
			keys = append(keys, string(out[pos+4:pos+4+kl]))
			pos += 4 + kl
			pos += 4 + int(binary.LittleEndian.Uint32(out[pos:]))
		}
	}
}

func TestIteratorRangesAndDirections(t *testing.T) {
	h, _ := openTemp(t)
	mustWrite(t, h, "a", "1", "b", "2", "c", "3", "d", "4", "e", "5")
	cases := []struct {
		spec iterSpec
		want []string
	}{
		{iterSpec{}, []string{"a", "b", "c", "d", "e"}},
		{iterSpec{gte: []byte("b"), lt: []byte("d")}, []string{"b", "c"}},
		{iterSpec{gte: []byte("bb")}, []string{"c", "d", "e"}},
		{iterSpec{reverse: true}, []string{"e", "d", "c", "b", "a"}},
		{iterSpec{reverse: true, gte: []byte("b"), lt: []byte("d")}, []string{"c", "b"}},
		{iterSpec{reverse: true, lt: []byte("cc")}, []string{"c", "b", "a"}},
		{iterSpec{gte: []byte("x")}, nil},
	}
	for _, c := range cases {
		for _, max := range []int32{1, 2, 100} {
			if got := drain(t, h, c.spec, max, 1024); !reflect.DeepEqual(got, c.want) {
				t.Errorf("%+v max %d: got %v, want %v", c.spec, max, got, c.want)
			}
		}
	}
}

func TestIteratorChunksFitTheBufferAndReportTooSmall(t *testing.T) {
	h, _ := openTemp(t)
	mustWrite(t, h, "a", "0123456789", "b", "0123456789")
	// Each entry takes 8 + 1 + 10 = 19 bytes: a 30-byte buffer fits one per chunk.
	if got := drain(t, h, iterSpec{}, 10, 30); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("got %v", got)
	}
	out := make([]byte, 10)
	id := openIter(h, encodeSpec(iterSpec{}), out)
	defer closeIter(id)
	if rc := nextChunk(id, 1, out); rc != -codeTooSmall || binary.LittleEndian.Uint32(out) != 19 {
		t.Fatalf("rc %d need %d", rc, binary.LittleEndian.Uint32(out))
	}
	big := make([]byte, 19)
	if rc := nextChunk(id, 1, big); rc != 1 || string(big[4:5]) != "a" {
		t.Fatalf("the too-small entry was consumed: rc %d %q", rc, big)
	}
}

func TestIteratorReadsItsSnapshot(t *testing.T) {
	h, _ := openTemp(t)
	mustWrite(t, h, "a", "1")
	out := make([]byte, 256)
	id := openIter(h, encodeSpec(iterSpec{}), out)
	mustWrite(t, h, "b", "2")
	if rc := nextChunk(id, 10, out); rc != 1 {
		t.Fatalf("saw %d entries, want the 1 in the snapshot", rc)
	}
	closeIter(id)
}

func TestClosingTheHandleClosesItsIterators(t *testing.T) {
	h, dir := openTemp(t)
	other := openAt(t, dir)
	mustWrite(t, h, "a", "1")
	out := make([]byte, 256)
	id := openIter(h, encodeSpec(iterSpec{}), out)
	kept := openIter(other, encodeSpec(iterSpec{}), out)
	closeHandle(h)
	if rc := nextChunk(id, 1, out); rc != -codeClosed {
		t.Fatalf("iterator of a closed handle: rc %d", rc)
	}
	if rc := closeIter(id); rc != -codeClosed {
		t.Fatalf("second close rc %d", rc)
	}
	if rc := nextChunk(kept, 1, out); rc != 1 {
		t.Fatalf("iterator of the other handle: rc %d", rc)
	}
	closeIter(kept)
	if rc := openIter(h, encodeSpec(iterSpec{}), out); rc != -codeClosed {
		t.Fatalf("open on a closed handle: rc %d", rc)
	}
	if rc := openIter(other, []byte{9}, out); rc != -codeInvalid {
		t.Fatalf("bad spec rc %d", rc)
	}
}

// Ranges whose bounds share a prefix (Badger then skips tables outside it), on memtables and,
// after a reopen, on flushed tables, forward and reverse.
func TestIteratorRangesWithASharedPrefix(t *testing.T) {
	h, dir := openTemp(t)
	mustWrite(t, h, "idw", "0", "idx:a", "1", "idx:a:1", "2", "idx:a:2", "3", "idx:ab:1", "4", "idx:b:1", "5", "idy", "6")
	cases := []struct {
		spec iterSpec
		want []string
	}{
		{iterSpec{gte: []byte("idx:a:"), lt: []byte("idx:a;")}, []string{"idx:a:1", "idx:a:2"}},
		{iterSpec{gte: []byte("idx:a"), lt: []byte("idx:b")}, []string{"idx:a", "idx:a:1", "idx:a:2", "idx:ab:1"}},
		{iterSpec{gte: []byte("idx:a:2"), lt: []byte("idx:b:2")}, []string{"idx:a:2", "idx:ab:1", "idx:b:1"}},
		{iterSpec{reverse: true, gte: []byte("idx:a:"), lt: []byte("idx:a;")}, []string{"idx:a:2", "idx:a:1"}},
		{iterSpec{reverse: true, gte: []byte("idx:"), lt: []byte("idx;")}, []string{"idx:b:1", "idx:ab:1", "idx:a:2", "idx:a:1", "idx:a"}},
		{iterSpec{gte: []byte("idx:c"), lt: []byte("idx:d")}, nil},
	}
	check := func(when string, h int32) {
		for _, c := range cases {
			for _, max := range []int32{1, 100} {
				if got := drain(t, h, c.spec, max, 1024); !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s %+v max %d: got %v, want %v", when, c.spec, max, got, c.want)
				}
			}
		}
	}
	check("memtable", h)
	if err := closeHandle(h); err != nil {
		t.Fatal(err)
	}
	check("tables", openAt(t, dir))
}

func TestCommonPrefix(t *testing.T) {
	for _, c := range [][3]string{{"abc", "abd", "ab"}, {"a", "b", ""}, {"ab", "ab\x00", "ab"}, {"", "x", ""}} {
		if got := string(commonPrefix([]byte(c[0]), []byte(c[1]))); got != c[2] {
			t.Errorf("commonPrefix(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}
