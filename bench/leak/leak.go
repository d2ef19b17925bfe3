// Package leak checks that a test leaves no goroutine behind: the tests of every long-lived
// component (servers, devices, actors) end with as many goroutines as they began with.
package leak

import (
	"runtime"
	"testing"
	"time"
)

// CheckGoroutines fails t if, at its end, more goroutines run than at its start, after giving
// them settle to finish (timers of SIP transactions and exec's helpers need a moment). Call it
// first in the test, so its cleanup runs after every Close the test registers later.
func CheckGoroutines(t testing.TB, settle time.Duration) {
	t.Helper()
	base := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(settle)
		for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > base {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines at the end, %d at the start:\n%s", n, base, buf[:runtime.Stack(buf, true)])
		}
	})
}
