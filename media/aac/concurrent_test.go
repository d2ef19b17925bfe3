package aac

import (
	"fmt"
	"sync"
	"testing"
)

// TestConcurrentEncoders runs one encoder per goroutine, as one per call,
// and checks each produced exactly what a lone encoder does: any state
// shared inside libavcodec would show as a data race or differing bytes.
func TestConcurrentEncoders(t *testing.T) {
	const calls = 16
	cfg := Config{InputRate: 8000, OutputRate: 48000}
	in := sine(8000, toneHz, 8000, toneAmp) // 1 s
	want := encodeAll(t, newTestEncoder(t, cfg), in, rtpFrame)

	errs := make(chan error, calls)
	var wg sync.WaitGroup
	for i := range calls {
		wg.Go(func() {
			errs <- encodeAndCompare(cfg, in, want, i)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func encodeAndCompare(cfg Config, in []int16, want [][]byte, call int) error {
	e, err := NewEncoder(cfg)
	if err != nil {
		return err
	}
	defer e.Close()
	n := 0
	for off := 0; off < len(in); off += rtpFrame {
		aus, err := e.Encode(in[off:min(off+rtpFrame, len(in))])
		if err != nil {
			return err
		}
		for _, au := range aus {
			if n >= len(want) || string(au) != string(want[n]) {
				return fmt.Errorf("call %d: AU %d differs from a lone encoder's", call, n)
			}
			n++
		}
	}
	if n != len(want) {
		return fmt.Errorf("call %d: %d AUs, want %d", call, n, len(want))
	}
	return nil
}
