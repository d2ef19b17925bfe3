// Package leak checks that a test leaves no goroutine behind: the tests of every long-lived
// component (servers, devices, actors) end with no goroutine that the test started still running.
package leak

import (
	"bytes"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// CheckGoroutines fails t if, at its end, a goroutine runs that did not run at its start, after
// giving them settle to finish (timers of SIP transactions and exec's helpers need a moment).
// Call it first in the test, so its cleanup runs after every Close the test registers later.
//
// It compares goroutine IDs, never counts: a goroutine of an earlier test that ends while this
// one runs would otherwise hide one this test leaked. Go never reuses a goroutine ID.
func CheckGoroutines(t testing.TB, settle time.Duration) {
	t.Helper()
	base := goroutineIDs(stacks())
	t.Cleanup(func() {
		deadline := time.Now().Add(settle)
		for {
			all := stacks()
			extra := newGoroutines(all, base)
			if len(extra) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%d goroutines started by the test still run:\n%s", len(extra), bytes.Join(extra, []byte("\n\n")))
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// stacks returns the stack dump of every goroutine, growing the buffer until it fits.
func stacks() []byte {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// goroutineIDs returns the IDs of the goroutines in a dump.
func goroutineIDs(dump []byte) map[uint64]bool {
	ids := map[uint64]bool{}
	for _, g := range bytes.Split(dump, []byte("\n\n")) {
		if id, ok := goroutineID(g); ok {
			ids[id] = true
		}
	}
	return ids
}

// newGoroutines returns the stacks in dump whose goroutine is not in base.
func newGoroutines(dump []byte, base map[uint64]bool) [][]byte {
	var extra [][]byte
	for _, g := range bytes.Split(dump, []byte("\n\n")) {
		if id, ok := goroutineID(g); ok && !base[id] {
			extra = append(extra, g)
		}
	}
	return extra
}

// goroutineID reads N from a stack that begins "goroutine N [state]:".
func goroutineID(stack []byte) (uint64, bool) {
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(stack), []byte("goroutine "))
	if !ok {
		return 0, false
	}
	num, _, ok := bytes.Cut(rest, []byte(" "))
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseUint(string(num), 10, 64)
	return id, err == nil
}
