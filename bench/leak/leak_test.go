package leak

import (
	"testing"
	"time"
)

// recorder is a testing.TB that keeps whether Errorf was called and runs cleanups on demand.
type recorder struct {
	testing.TB
	failed   bool
	cleanups []func()
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Cleanup(f func())      { r.cleanups = append(r.cleanups, f) }
func (r *recorder) finish() {
	for _, f := range r.cleanups {
		f()
	}
}

func TestCheckGoroutines(t *testing.T) {
	for _, tc := range []struct {
		name string
		leak bool
	}{{"clean", false}, {"leaking", true}} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			CheckGoroutines(r, 100*time.Millisecond)
			stop := make(chan struct{})
			go func() { <-stop }()
			if !tc.leak {
				close(stop)
			}
			r.finish()
			if tc.leak {
				close(stop)
			}
			if r.failed != tc.leak {
				t.Fatalf("failed=%v, want %v", r.failed, tc.leak)
			}
		})
	}
}
