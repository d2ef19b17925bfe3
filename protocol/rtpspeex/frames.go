package rtpspeex

// Sizes in bits of a narrowband frame by mode, its 5 header bits included
// (libspeex's nb_mode sub-modes; mode 0 is the header alone). Modes 9-12 are
// reserved, 13 and 14 are in-band signalling, 15 is the terminator.
var nbFrameBits = [9]int{5, 43, 119, 160, 220, 300, 364, 492, 79}

// Sizes in bits of a wideband layer by sub-mode, its 4 header bits included
// (libspeex's sb_mode); sub-modes 5-7 are reserved.
var wbLayerBits = [8]int{4, 36, 112, 192, 352, -1, -1, -1}

// inBandBits is the payload size of a mode-14 in-band signal by its 4-bit id.
var inBandBits = [16]int{1, 1, 4, 4, 4, 4, 4, 4, 8, 8, 16, 16, 32, 32, 64, 64}

const (
	modeUserInBand = 13
	modeInBand     = 14
	modeTerminator = 15
	// maxWBLayers: a frame carries the wideband layer and, at 32 kHz, the
	// ultra-wideband one on top; a third is corrupt.
	maxWBLayers = 2
)

// bitReader reads big-endian bit fields.
type bitReader struct {
	b   []byte
	pos int // in bits
}

func (r *bitReader) left() int { return len(r.b)*8 - r.pos }

// peek returns n ≤ 8 bits at the current position without consuming them;
// the caller checks that they are there.
func (r *bitReader) peek(off, n int) int {
	v := 0
	for i := range n {
		p := r.pos + off + i
		v = v<<1 | int(r.b[p>>3]>>(7-p&7)&1)
	}
	return v
}

// Frames counts the Speex frames of an RTP payload. It walks each frame's
// narrowband part, its wideband layers and any in-band signals before it, and
// stops at the terminator or where fewer than 5 bits of padding remain.
func Frames(payload []byte) (int, error) {
	return walk(payload, nil)
}

// Split cuts a payload into its frames, each re-packed on its own, byte
// aligned and padded like a one-frame payload, and appends them to dst. A
// decoder fed one frame at a time gives each frame's audio at once, where
// some (FFmpeg's libspeex wrapper) hold the rest of a multi-frame packet back
// until the next one arrives.
func Split(payload []byte, dst [][]byte) ([][]byte, error) {
	start := 0
	_, err := walk(payload, func(end int) {
		dst = append(dst, repack(payload, start, end))
		start = end
	})
	return dst, err
}

// repack copies the bits [from, to) of b into a new byte-aligned buffer and
// pads it as libspeex does: a 0, then 1s to the byte boundary (nothing when
// the frame ends on one).
func repack(b []byte, from, to int) []byte {
	n := to - from
	out := make([]byte, (n+7)/8)
	r := bitReader{b: b, pos: from}
	for i := range n {
		out[i>>3] |= byte(r.peek(i, 1)) << (7 - i&7)
	}
	for i := n + 1; i < len(out)*8; i++ {
		out[i>>3] |= 1 << (7 - i&7)
	}
	return out
}

// walk goes through the frames of payload and calls frameEnd (when not nil)
// with the bit position where each frame ends, its wideband layers included.
func walk(payload []byte, frameEnd func(end int)) (int, error) {
	r := bitReader{b: payload}
	frames, layers := 0, 0
	open := false // a counted frame has not been handed to frameEnd yet
	emit := func() {
		if open && frameEnd != nil {
			frameEnd(r.pos)
		}
		open = false
	}
	for r.left() >= 5 {
		if r.peek(0, 1) == 1 {
			// A wideband layer: it belongs to the narrowband frame before it.
			size := wbLayerBits[r.peek(1, 3)]
			if frames == 0 || layers == maxWBLayers || size < 0 || size > r.left() {
				return 0, ErrMalformed
			}
			r.pos += size
			layers++
			continue
		}
		// Whatever comes now (a frame, an in-band signal belonging to the
		// frame after it, the terminator) ends the previous frame, layers
		// included.
		emit()
		switch mode := r.peek(1, 4); {
		case mode == modeTerminator:
			return done(frames)
		case mode == modeInBand:
			if r.left() < 9 {
				return 0, ErrMalformed
			}
			r.pos += 9 + inBandBits[r.peek(5, 4)]
		case mode == modeUserInBand:
			if r.left() < 10 {
				return 0, ErrMalformed
			}
			r.pos += 10 + 8*r.peek(5, 5)
		case mode >= len(nbFrameBits):
			return 0, ErrMalformed
		default:
			if nbFrameBits[mode] > r.left() {
				return 0, ErrMalformed
			}
			r.pos += nbFrameBits[mode]
			frames++
			layers, open = 0, true
		}
		if r.left() < 0 {
			return 0, ErrMalformed
		}
	}
	emit()
	return done(frames)
}

func done(frames int) (int, error) {
	if frames == 0 {
		return 0, ErrMalformed
	}
	return frames, nil
}
