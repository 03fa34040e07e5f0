package stamps

import (
	"fmt"
	"path/filepath"
	"testing"
)

// What marking a commit costs: Begin and End of a batch of 1,000 16-byte keys.
func BenchmarkBeginEnd1000(b *testing.B) {
	t, err := Create(filepath.Join(b.TempDir(), FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer t.Close()
	keys := make([][]byte, 1000)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("user:%011d", i*7919))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t.Begin(keys)
		t.End(keys)
	}
}
