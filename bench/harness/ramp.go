package harness

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// ramp runs do(i) for i in [0, n), starting one every 1/rate seconds, each
// in its own goroutine, and returns once all have returned. Starts stop
// when ctx ends; do must then return promptly.
func ramp(ctx context.Context, n int, rate float64, do func(i int)) {
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() { do(i) })
	}
	wg.Wait()
}

// progress prints line() to w every second until stopped: the run's
// heartbeat on the terminal.
type progress struct {
	stopc chan struct{}
	done  chan struct{}
}

func startProgress(w io.Writer, phase string, line func() string) *progress {
	p := &progress{stopc: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	go func() {
		defer close(p.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-p.stopc:
				return
			case <-t.C:
				fmt.Fprintf(w, "[%s %5.1fs] %s\n", phase, time.Since(start).Seconds(), line())
			}
		}
	}()
	return p
}

func (p *progress) stop() {
	close(p.stopc)
	<-p.done
}

// sleepCtx sleeps d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}
