package aac

import "testing"

// TestOneCallPerFrame: 20 ms payloads are gathered in Go and C is called
// once per 1024-sample frame they complete, not once per packet (6.4 calls
// per frame at 8 kHz before).
func TestOneCallPerFrame(t *testing.T) {
	const seconds = 10
	for _, tc := range rateCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEncoder(t, tc.cfg)
			in := sine(float64(tc.cfg.InputRate), toneHz, seconds*tc.cfg.InputRate, toneAmp)
			aus := encodeAll(t, e, in, tc.cfg.InputRate/50)
			// One frame stays in the encoder as look-ahead.
			frames := len(aus) + 1
			packets := seconds * 50
			t.Logf("%d packets, %d frames, %d calls", packets, frames, e.lib.calls)
			// A resampler holds its first few input samples back for its
			// filter, so its first frame may take one call more.
			extra := 0
			if tc.outRate != tc.cfg.InputRate {
				extra = 1
			}
			if e.lib.calls < frames || e.lib.calls > frames+extra {
				t.Errorf("%d C calls for %d frames, want one per frame (+%d)", e.lib.calls, frames, extra)
			}
		})
	}
}
