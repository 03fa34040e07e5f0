// Command check-binary inspects a prebuilt without running it. A darwin dylib, which this (Linux)
// machine cannot run, must be a thin Mach-O dylib of the expected CPU, export every symbol given, link
// only libraries that exist on every Mac (/usr/lib, /System/Library), and on arm64 carry a code
// signature (macOS refuses to load unsigned arm64 code). An ELF or PE library (run elsewhere by the C
// smoke program) must be of the expected machine and stripped. It is run with `go run` by
// scripts/test-prebuilds.mjs and is not part of the c-shared library (it lives outside native/).
//
// Usage: go run check-binary.go <macho|elf|pe> <library> <arm64|amd64> [sky_open sky_close ...]
// Prints "ok - ..." / "not ok - ..." per check and exits 1 when any failed.
package main

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
)

const (
	loadCodeSignature = 0x1d // LC_CODE_SIGNATURE
	loadBuildVersion  = 0x32 // LC_BUILD_VERSION
)

var failed bool

func check(what string, ok bool, detail string) {
	if ok {
		fmt.Printf("ok - %s\n", what)
		return
	}
	fmt.Printf("not ok - %s: %s\n", what, detail)
	failed = true
}

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: check-binary <macho|elf|pe> <library> <arm64|amd64> [symbol...]")
		os.Exit(2)
	}
	format, file, arch, symbols := os.Args[1], os.Args[2], os.Args[3], os.Args[4:]
	switch format {
	case "macho":
		checkMachO(file, arch, symbols)
	case "elf":
		checkELF(file, arch)
	case "pe":
		checkPE(file, arch)
	default:
		fmt.Fprintln(os.Stderr, "unknown format "+format)
		os.Exit(2)
	}
	if failed {
		os.Exit(1)
	}
}

// checkMachO runs the darwin checks described at the top.
func checkMachO(file, arch string, symbols []string) {
	f, err := macho.Open(file)
	if err != nil {
		check(file+" is a thin Mach-O file", false, err.Error())
		os.Exit(1)
	}
	defer f.Close()
	want := map[string]macho.Cpu{"arm64": macho.CpuArm64, "amd64": macho.CpuAmd64}[arch]
	check(fmt.Sprintf("Mach-O for %v", want), f.Cpu == want, fmt.Sprintf("CPU is %v", f.Cpu))
	check("a dylib (MH_DYLIB)", f.Type == macho.TypeDylib, fmt.Sprintf("type is %v", f.Type))
	checkExports(f, symbols)
	checkLibraries(f)
	checkLoadCommands(f, file, arch)
}

// checkExports wants every symbol defined and external; Mach-O C symbols carry a leading underscore.
func checkExports(f *macho.File, symbols []string) {
	defined := map[string]bool{}
	if f.Symtab != nil {
		for _, s := range f.Symtab.Syms {
			const nExt, nTypeMask, nSect = 0x01, 0x0e, 0x0e
			if s.Type&nExt != 0 && s.Type&nTypeMask == nSect {
				defined[strings.TrimPrefix(s.Name, "_")] = true
			}
		}
	}
	var missing []string
	for _, name := range symbols {
		if !defined[name] {
			missing = append(missing, name)
		}
	}
	check(fmt.Sprintf("exports all %d sky_* functions given", len(symbols)), len(missing) == 0, "missing "+strings.Join(missing, ", "))
}

// checkLibraries refuses a dependency on a path that exists only on the build machine (such as the
// link stubs in .tools/), which would make dlopen fail on every Mac.
func checkLibraries(f *macho.File) {
	libs, err := f.ImportedLibraries()
	var stray []string
	for _, lib := range libs {
		if !strings.HasPrefix(lib, "/usr/lib/") && !strings.HasPrefix(lib, "/System/Library/") {
			stray = append(stray, lib)
		}
	}
	fmt.Printf("# links %s\n", strings.Join(libs, ", "))
	check("links only system libraries (/usr/lib, /System/Library)", err == nil && len(stray) == 0 && len(libs) > 0,
		fmt.Sprintf("%v %s", err, strings.Join(stray, ", ")))
}

// checkLoadCommands reports the minimum macOS version and wants a code signature on arm64.
func checkLoadCommands(f *macho.File, file, arch string) {
	signed, minOS := false, ""
	for _, l := range f.Loads {
		raw := l.Raw()
		if len(raw) < 8 {
			continue
		}
		switch f.ByteOrder.Uint32(raw) {
		case loadCodeSignature:
			signed = true
			if len(raw) >= 16 {
				problem := verifyCodeHashes(file, f.ByteOrder.Uint32(raw[8:]), f.ByteOrder.Uint32(raw[12:]))
				check("every page hash of the code signature matches the file", problem == "", problem)
			}
		case loadBuildVersion:
			if len(raw) >= 16 {
				minOS = version(f.ByteOrder, raw[12:16])
			}
		}
	}
	fmt.Printf("# minimum macOS %s\n", minOS)
	check("declares a minimum macOS version (LC_BUILD_VERSION)", minOS != "", "no LC_BUILD_VERSION")
	if arch == "arm64" {
		check("carries a code signature (LC_CODE_SIGNATURE; arm64 macOS loads only signed code)", signed, "none")
	}
}

// verifyCodeHashes recomputes the SHA-256 page hashes of the signature's CodeDirectory (big-endian,
// inside the SuperBlob at dataoff), so a file changed after signing (say, stripped again) is caught:
// macOS kills a process that maps an arm64 page whose hash does not match. Returns "" when all match.
func verifyCodeHashes(file string, dataoff, datasize uint32) string {
	data, err := os.ReadFile(file)
	if err != nil || uint64(dataoff)+uint64(datasize) > uint64(len(data)) {
		return fmt.Sprintf("cannot read the signature: %v", err)
	}
	sig := data[dataoff : dataoff+datasize]
	be := binary.BigEndian
	if len(sig) < 12 || be.Uint32(sig) != 0xfade0cc0 {
		return "no embedded-signature SuperBlob"
	}
	for i := uint32(0); i < be.Uint32(sig[8:]) && 12+8*i+8 <= uint32(len(sig)); i++ {
		cd := sig[be.Uint32(sig[12+8*i+4:]):]
		if len(cd) < 40 || be.Uint32(cd) != 0xfade0c02 || cd[37] != 2 { // CodeDirectory with SHA-256
			continue
		}
		hashOffset, slots, limit, page := be.Uint32(cd[16:]), be.Uint32(cd[28:]), be.Uint32(cd[32:]), uint32(1)<<cd[39]
		for n := uint32(0); n < slots; n++ {
			start, end := n*page, min((n+1)*page, limit)
			sum := sha256.Sum256(data[start:end])
			at := hashOffset + n*32
			if int(at)+32 > len(cd) || !bytes.Equal(cd[at:at+32], sum[:]) {
				return fmt.Sprintf("page %d (bytes %d-%d) does not match its hash", n, start, end)
			}
		}
		return ""
	}
	return "no SHA-256 CodeDirectory"
}

// version decodes Mach-O's packed xxxx.yy.zz version number.
func version(order binary.ByteOrder, b []byte) string {
	v := order.Uint32(b)
	return fmt.Sprintf("%d.%d.%d", v>>16, v>>8&0xff, v&0xff)
}

// checkELF wants a shared object of the right machine without a symbol table or DWARF.
func checkELF(file, arch string) {
	f, err := elf.Open(file)
	if err != nil {
		check(file+" is an ELF file", false, err.Error())
		os.Exit(1)
	}
	defer f.Close()
	want := map[string]elf.Machine{"arm64": elf.EM_AARCH64, "amd64": elf.EM_X86_64}[arch]
	check(fmt.Sprintf("ELF for %v", want), f.Machine == want, fmt.Sprintf("machine is %v", f.Machine))
	check("a shared object (ET_DYN)", f.Type == elf.ET_DYN, fmt.Sprintf("type is %v", f.Type))
	var extra []string
	for _, s := range f.Sections {
		if s.Name == ".symtab" || strings.HasPrefix(s.Name, ".debug_") {
			extra = append(extra, s.Name)
		}
	}
	check("stripped (no .symtab, no DWARF)", len(extra) == 0, "has "+strings.Join(extra, ", "))
}

// checkPE wants a DLL of the right machine without a COFF symbol table or DWARF.
func checkPE(file, arch string) {
	f, err := pe.Open(file)
	if err != nil {
		check(file+" is a PE file", false, err.Error())
		os.Exit(1)
	}
	defer f.Close()
	want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[arch]
	check(fmt.Sprintf("PE for machine %#x", want), f.Machine == want, fmt.Sprintf("machine is %#x", f.Machine))
	check("a DLL", f.Characteristics&pe.IMAGE_FILE_DLL != 0, fmt.Sprintf("characteristics %#x", f.Characteristics))
	var extra []string
	for _, s := range f.Sections {
		if strings.HasPrefix(s.Name, ".debug_") || strings.HasPrefix(s.Name, ".zdebug_") {
			extra = append(extra, s.Name)
		}
	}
	check("stripped (no COFF symbols, no DWARF)", len(f.Symbols) == 0 && len(extra) == 0,
		fmt.Sprintf("%d symbols, %s", len(f.Symbols), strings.Join(extra, ", ")))
}
