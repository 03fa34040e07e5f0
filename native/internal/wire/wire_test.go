package wire

import (
	"bufio"
	"bytes"
	"errors"
	"testing"
)

func TestRequestsRoundTrip(t *testing.T) {
	reqs := []Request{
		{ID: 1, Op: OpHello, Version: Version, UID: 1000, ClientID: 42},
		{ID: 2, Op: OpGet, OutCap: 65536, Key: []byte("k")},
		{ID: 3, Op: OpHas, Key: []byte("k")},
		{ID: 4, Op: OpGetMany, OutCap: 10, Start: 2, Data: []byte{1, 2}},
		{ID: 5, Op: OpWrite, ClientID: 7, Seq: 9, Flags: WriteSync, Data: []byte{0, 0, 0, 0}},
		{ID: 11, Op: OpWrite, ClientID: 7, Seq: 10, Flags: WriteSync | WriteStamps, Data: []byte{0, 0, 0, 0}},
		{ID: 6, Op: OpScan, Max: 100, OutCap: 4096, Data: []byte{0}},
		{ID: 7, Op: OpIndexScan, Max: 10, OutCap: 65536, Data: []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{ID: 9, Op: OpSync},
		{ID: 10, Op: OpStats, OutCap: 8},
	}
	var stream []byte
	for _, r := range reqs {
		frame := EncodeRequest(r)
		stream = AppendRequest(stream, r.ID, r.Op, frame[5:])
	}
	rd := bufio.NewReader(bytes.NewReader(stream))
	for _, want := range reqs {
		frame, err := ReadFrame(rd)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ParseRequest(frame)
		if err != nil || !bytes.Equal(EncodeRequest(got), EncodeRequest(want)) {
			t.Fatalf("op %d: %v %+v", want.Op, err, got)
		}
	}
}

func TestMalformedFramesAreErrors(t *testing.T) {
	bad := [][]byte{{}, {1, 0, 0, 0}, {1, 0, 0, 0, 99}, {1, 0, 0, 0, OpScan, 1}, {1, 0, 0, 0, OpIndexScan, 1, 2, 3}, {1, 0, 0, 0, OpSync, 1}}
	for _, f := range bad {
		if _, err := ParseRequest(f); !errors.Is(err, ErrFrame) {
			t.Errorf("%x: %v", f, err)
		}
	}
	unknownFlag := EncodeRequest(Request{ID: 1, Op: OpWrite, Data: []byte{0, 0, 0, 0}})
	unknownFlag[5+16] = 4
	if _, err := ParseRequest(unknownFlag); !errors.Is(err, ErrFrame) {
		t.Errorf("an unknown write flag: %v", err)
	}
	if _, err := ReadFrame(bufio.NewReader(bytes.NewReader([]byte{4, 0, 0, 0}))); !errors.Is(err, ErrFrame) {
		t.Errorf("a too-short length: %v", err)
	}
	if _, err := ReadFrame(bufio.NewReader(bytes.NewReader([]byte{0xff, 0xff, 0xff, 0x0f, 1}))); err == nil {
		t.Error("a frame cut short by EOF was accepted")
	}
}

// Request frames come from other processes: the decoder must never panic, and what it accepts
// must re-encode to the same bytes.
func FuzzParseRequest(f *testing.F) {
	f.Add(EncodeRequest(Request{ID: 5, Op: OpWrite, ClientID: 7, Seq: 9, Data: []byte{0, 0, 0, 0}}))
	f.Add(EncodeRequest(Request{ID: 6, Op: OpWrite, ClientID: 7, Seq: 9, Flags: WriteStamps, Data: []byte{0, 0, 0, 0}}))
	f.Add(EncodeRequest(Request{ID: 7, Op: OpScan, Max: 100, OutCap: 4096, Data: []byte{1, 0, 0, 0, 0, 0, 0, 0, 0}}))
	f.Add(EncodeRequest(Request{ID: 8, Op: OpIndexScan, Max: 11, OutCap: 65536, Data: []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}}))
	f.Add(EncodeRequest(Request{ID: 1, Op: OpHello, Version: 1}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, frame []byte) {
		req, err := ParseRequest(frame)
		if err == nil && !bytes.Equal(EncodeRequest(req), frame) {
			t.Fatalf("accepted %x but re-encodes as %x", frame, EncodeRequest(req))
		}
	})
}

// ReadFrame reads lengths from other processes: no panic, no read past what the length names.
func FuzzReadFrame(f *testing.F) {
	f.Add(AppendRequest(nil, 1, OpSync))
	f.Add([]byte{8, 0, 0, 0, 1, 2})
	f.Fuzz(func(t *testing.T, stream []byte) {
		frame, err := ReadFrame(bufio.NewReader(bytes.NewReader(stream)))
		if err == nil && len(frame)+4 > len(stream) {
			t.Fatalf("frame of %d bytes from a %d-byte stream", len(frame), len(stream))
		}
	})
}
