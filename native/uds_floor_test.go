package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The floor of a request between two processes on this box: a 16-byte ping and its 16-byte echo
// over a Unix socket, nothing else. "netpoll" is what a Go server does (goroutines woken by the
// poller, as owner.go), "blocking" is one thread per side sleeping in read(2), the cheapest there
// is. The CPU of both processes is reported per round trip (cpu-us/op: this one, child-us/op).

// runEcho is the child's side (TestMain): echo 16-byte frames on one connection until EOF.
func runEcho(path, mode string) int {
	ln, err := net.Listen("unix", path)
	if err != nil {
		return 2
	}
	os.Stdout.WriteString("ready\n")
	c, err := ln.Accept()
	if err != nil {
		return 2
	}
	if mode == "blocking" {
		f, _ := c.(*net.UnixConn).File() // a dup in blocking mode
		c.Close()
		fd := int(f.Fd())
		syscall.SetNonblock(fd, false)
		echoLoop(func(b []byte) (int, error) { return syscall.Read(fd, b) }, func(b []byte) (int, error) { return syscall.Write(fd, b) })
		return 0
	}
	echoLoop(c.Read, c.Write)
	return 0
}

func echoLoop(read, write func([]byte) (int, error)) {
	buf := make([]byte, 16)
	for {
		if _, err := readFull(read, buf); err != nil {
			return
		}
		if _, err := write(buf); err != nil {
			return
		}
	}
}

func readFull(read func([]byte) (int, error), b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := read(b[n:])
		if err != nil || m == 0 {
			if err == nil {
				err = syscall.EPIPE
			}
			return n, err
		}
		n += m
	}
	return n, nil
}

// cpuNsOf sums the CPU time of every live thread of pid.
func cpuNsOf(pid int) int64 {
	tasks, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + t.Name() + "/schedstat")
		if err == nil {
			v, _ := strconv.ParseInt(strings.Fields(string(b))[0], 10, 64)
			sum += v
		}
	}
	return sum
}

func BenchmarkUDSFloor(b *testing.B) {
	for _, mode := range []string{"netpoll", "blocking"} {
		b.Run(mode, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "echo.sock")
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "SKY_ECHO_SOCK="+path, "SKY_ECHO_MODE="+mode)
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			out.Read(make([]byte, 6))
			conn, err := net.DialTimeout("unix", path, 5*time.Second)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			read, write := conn.Read, conn.Write
			if mode == "blocking" {
				f, _ := conn.(*net.UnixConn).File()
				defer f.Close()
				fd := int(f.Fd())
				syscall.SetNonblock(fd, false)
				read = func(p []byte) (int, error) { return syscall.Read(fd, p) }
				write = func(p []byte) (int, error) { return syscall.Write(fd, p) }
			}
			buf := make([]byte, 16)
			var ru0, ru1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
			child0 := cpuNsOf(cmd.Process.Pid)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := write(buf); err != nil {
					b.Fatal(err)
				}
				if _, err := readFull(read, buf); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
			self := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
			b.ReportMetric(float64(self.Microseconds())/float64(b.N), "cpu-us/op")
			b.ReportMetric(float64(cpuNsOf(cmd.Process.Pid)-child0)/1000/float64(b.N), "child-us/op")
		})
	}
}
