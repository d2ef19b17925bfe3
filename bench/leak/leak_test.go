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

// TestEndingGoroutineDoesNotHideLeak is the CI failure of session 4: a goroutine that ran at the
// start ends during the test, so a count stays level although the test leaked one.
func TestEndingGoroutineDoesNotHideLeak(t *testing.T) {
	old := make(chan struct{})
	oldDone := make(chan struct{})
	go func() { <-old; close(oldDone) }()
	r := &recorder{TB: t}
	CheckGoroutines(r, 100*time.Millisecond)
	leaked := make(chan struct{})
	defer close(leaked)
	go func() { <-leaked }()
	close(old)
	<-oldDone
	r.finish()
	if !r.failed {
		t.Fatal("a leaked goroutine went unnoticed while an older one ended")
	}
}

func TestGoroutineID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		id   uint64
		okay bool
	}{
		{"goroutine 17 [running]:\nmain.main()", 17, true},
		{"\ngoroutine 3 [chan receive, 2 minutes]:", 3, true},
		{"goroutine x [running]:", 0, false},
		{"goroutine 5", 0, false},
		{"created by main.main", 0, false},
		{"", 0, false},
	} {
		id, ok := goroutineID([]byte(tc.in))
		if id != tc.id || ok != tc.okay {
			t.Errorf("goroutineID(%q) = %d, %v; want %d, %v", tc.in, id, ok, tc.id, tc.okay)
		}
	}
}
