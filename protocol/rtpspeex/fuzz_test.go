package rtpspeex

import (
	"bytes"
	"testing"
)

// FuzzFrames checks that no payload panics or is modified, that a count
// never claims more frames than the payload has room for (5 bits each), and
// that Split agrees with Frames.
func FuzzFrames(f *testing.F) {
	for _, tc := range framesCases {
		f.Add(tc.payload)
	}
	for _, name := range []string{"nb8", "wb16", "wb16x3"} {
		for _, p := range captured(f, name) {
			f.Add(p)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		n, err := Frames(data)
		if err == nil && (n < 1 || n*5 > len(data)*8) {
			t.Fatalf("%d frames in %d bytes", n, len(data))
		}
		frames, serr := Split(data, nil)
		if (serr == nil) != (err == nil) || (err == nil && len(frames) != n) {
			t.Fatalf("Split: %d frames, %v; Frames: %d, %v", len(frames), serr, n, err)
		}
		for _, f := range frames {
			if m, err := Frames(f); err == nil && m != 1 {
				t.Fatalf("a split frame holds %d frames", m)
			}
		}
		if !bytes.Equal(data, orig) {
			t.Fatal("input modified")
		}
	})
}
