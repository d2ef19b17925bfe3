package rtpspeex

import (
	"path/filepath"
	"testing"

	"github.com/sipcast/sipcast/internal/testutil"
)

// bits builds a Speex bitstream the way libspeex packs it.
type bits struct {
	b []byte
	n int // bits written
}

func (w *bits) put(v, n int) *bits {
	for i := n - 1; i >= 0; i-- {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[w.n/8] |= byte(v>>i&1) << (7 - w.n%8)
		w.n++
	}
	return w
}

// nb adds a narrowband frame of the given mode, its body filled with ones.
func (w *bits) nb(mode int) *bits {
	w.put(0, 1).put(mode, 4)
	for range nbFrameBits[mode] - 5 {
		w.put(1, 1)
	}
	return w
}

// wb adds a wideband layer of the given sub-mode.
func (w *bits) wb(sub int) *bits {
	w.put(1, 1).put(sub, 3)
	for range wbLayerBits[sub] - 4 {
		w.put(0, 1)
	}
	return w
}

// end pads like speex_bits_insert_terminator: a 0, then 1s to the byte.
func (w *bits) end() []byte {
	if w.n%8 != 0 {
		w.put(0, 1)
		for w.n%8 != 0 {
			w.put(1, 1)
		}
	}
	return w.b
}

func stream() *bits { return &bits{} }

// framesCase is one payload and its frame count (0: ErrMalformed).
type framesCase struct {
	name    string
	payload []byte
	frames  int
}

var framesCases = []framesCase{
	{"narrowband mode 5", stream().nb(5).end(), 1},
	{"narrowband every mode", stream().nb(0).nb(1).nb(2).nb(3).nb(4).nb(5).nb(6).nb(7).nb(8).end(), 9},
	{"wideband: mode 5 plus layer 3", stream().nb(5).wb(3).end(), 1},
	{"wideband, three frames", stream().nb(4).wb(2).nb(4).wb(2).nb(4).wb(2).end(), 3},
	{"ultra-wideband: two layers", stream().nb(6).wb(4).wb(1).end(), 1},
	{"explicit terminator", stream().nb(3).put(0, 1).put(15, 4).put(0, 3).end(), 1},
	{"in-band signal before a frame", stream().put(0, 1).put(14, 4).put(9, 4).put(0, 8).nb(3).end(), 1},
	{"user in-band before a frame", stream().put(0, 1).put(13, 4).put(2, 5).put(0, 16).nb(3).end(), 1},
	{"empty", nil, 0},
	{"terminator only", stream().put(0, 1).put(15, 4).end(), 0},
	{"reserved mode", stream().put(0, 1).put(10, 4).end(), 0},
	{"truncated frame", stream().nb(7).end()[:40], 0},
	{"layer before any frame", stream().wb(1).nb(3).end(), 0},
	{"reserved wideband sub-mode", stream().nb(3).put(1, 1).put(6, 3).end(), 0},
	{"three layers", stream().nb(3).wb(1).wb(1).wb(1).end(), 0},
	{"in-band signal cut short", stream().nb(3).put(0, 1).put(14, 4).put(15, 4).end(), 0},
}

// captured reads the ffmpeg payloads in testdata (see its README).
func captured(t testing.TB, name string) [][]byte {
	return testutil.ReadHexLines(t, filepath.Join("testdata", name+".hex"))
}
