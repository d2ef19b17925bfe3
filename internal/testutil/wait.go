package testutil

import (
	"bufio"
	"encoding/hex"
	"os"
	"testing"
	"time"
)

// pollEvery is how often WaitFor looks again: short against the seconds a test waits, long
// enough not to load a 2-core CI machine.
const pollEvery = 20 * time.Millisecond

// WaitFor polls cond until it holds, or fails the test after timeout naming what it waited for.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(pollEvery)
	}
}

// ReadHexLines reads a testdata file of one hex-encoded packet per line.
func ReadHexLines(t testing.TB, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		b, err := hex.DecodeString(sc.Text())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
