package sockpath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShortPathsUseTheStoreDirectory(t *testing.T) {
	if p, hashed := For("/tmp/store"); hashed || p != "/tmp/store/"+SocketName {
		t.Fatalf("%s %v", p, hashed)
	}
}

func TestLongPathsGetAStableHashedName(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	dir := "/" + strings.Repeat("x", 120)
	p, hashed := For(dir)
	q, _ := For(dir)
	other, _ := For(dir + "y")
	if !hashed || p != q || p == other || len(p) > maxPath() {
		t.Fatalf("%s %s %v", p, other, hashed)
	}
	if err := Prepare(p); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Dir(p))
	if err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("socket directory mode %v: %v", info.Mode(), err)
	}
}

func TestPrepareTightensAnOpenDirectoryAndRefusesASymlink(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "sockets")
	os.Mkdir(dir, 0o777)
	os.Chmod(dir, 0o777)
	if err := Prepare(filepath.Join(dir, "a.sock")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v", info.Mode())
	}
	link := filepath.Join(base, "link")
	os.Symlink(dir, link)
	if err := Prepare(filepath.Join(link, "a.sock")); err == nil {
		t.Fatal("a symlinked socket directory was accepted")
	}
}
