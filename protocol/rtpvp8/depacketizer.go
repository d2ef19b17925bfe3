package rtpvp8

import (
	"github.com/pion/rtp"
)

// MaxFrameSize bounds the bytes buffered for one frame. A 1080p VP8 key frame
// at a generous bitrate is a few hundred kilobytes; a peer sending more is
// broken or hostile, and one call must not be able to eat the gateway's memory.
const MaxFrameSize = 4 << 20

// Frame is one complete VP8 frame.
type Frame struct {
	// Data is the frame as a decoder takes it: the concatenated VP8 payloads
	// of its packets. It is a fresh copy the caller owns.
	Data []byte
	// TS is the frame's RTP timestamp.
	TS uint32
	// Key is true for a key frame, which decodes without any earlier one.
	Key bool
	// Width and Height are the picture size a key frame announces; 0 for
	// inter frames.
	Width, Height int
}

// Depacketizer reassembles VP8 frames from RTP packets of one SSRC. The zero
// value is ready to use. It is not safe for concurrent use.
type Depacketizer struct {
	buf      []byte // the frame being built, reused from one frame to the next
	ts       uint32 // RTP timestamp of the frame being built
	inFrame  bool   // a packet of the frame at ts has been seen
	broken   bool   // the frame lost a packet or overflowed: drop it when it ends
	reported bool   // the frame's loss was already returned as an error
	done     bool   // the marker ended buf while another frame was being returned

	seq    uint16 // last sequence number seen
	hasSeq bool
}

// Push consumes one RTP packet. When a frame is complete it returns it
// (Frame.Data non-nil). A frame completes on the marker bit, or when a packet
// with a new timestamp arrives: then the previous frame is returned and pkt
// starts the next one.
//
// Like io.Reader, Push may return a frame together with an error: the error
// concerns pkt or the frame it belongs to, while the frame returned is good.
// Handle the frame before the error. A packet repeating the previous sequence
// number is a network duplicate and is ignored; an empty payload only
// advances the sequence tracking.
func (d *Depacketizer) Push(pkt *rtp.Packet) (Frame, error) {
	var out Frame
	var err error
	if d.done {
		out, err = d.finish(Frame{})
	}
	if d.hasSeq && pkt.SequenceNumber == d.seq {
		return out, err
	}
	if d.hasSeq && pkt.SequenceNumber != d.seq+1 && d.inFrame {
		err = d.lose(ErrFrameLost)
	}
	d.seq, d.hasSeq = pkt.SequenceNumber, true
	if len(pkt.Payload) == 0 {
		return out, err
	}

	desc, derr := ParseDescriptor(pkt.Payload)
	if d.inFrame && pkt.Timestamp != d.ts {
		var ferr error
		out, ferr = d.finish(out)
		err = firstErr(err, ferr)
	}
	if derr != nil {
		if !d.inFrame {
			// Start a frame that is already lost, so its other packets are
			// not reported again.
			d.inFrame, d.ts, d.buf, d.broken = true, pkt.Timestamp, d.buf[:0], false
		}
		d.lose(derr)
		d.reported = true
		return out, firstErr(err, derr)
	}
	if !d.inFrame {
		d.inFrame, d.ts, d.buf = true, pkt.Timestamp, d.buf[:0]
		d.broken, d.reported = false, false
		if !desc.Start {
			// The frame's first packet is gone: what follows cannot be decoded.
			err = firstErr(err, d.lose(ErrFrameLost))
		}
	}
	if !d.broken {
		payload := pkt.Payload[desc.Size:]
		if len(d.buf)+len(payload) > MaxFrameSize {
			err = firstErr(err, d.lose(ErrFrameTooBig))
			d.buf = d.buf[:0]
		} else {
			d.buf = append(d.buf, payload...)
		}
	}
	if pkt.Marker {
		if out.Data != nil {
			d.done = true
			return out, err
		}
		var ferr error
		out, ferr = d.finish(out)
		err = firstErr(err, ferr)
	}
	return out, err
}

// Reset drops the frame being built and the sequence tracking. Call it after
// an SSRC change.
func (d *Depacketizer) Reset() {
	*d = Depacketizer{buf: d.buf[:0]}
}

// finish ends the frame being built: it is returned unless it is broken (out,
// a frame returned earlier in the same Push, is kept then).
func (d *Depacketizer) finish(out Frame) (Frame, error) {
	broken := d.broken
	f := d.take()
	if broken {
		return out, nil
	}
	if f.Key {
		w, h, err := KeyFrameSize(f.Data)
		if err != nil {
			return out, err
		}
		f.Width, f.Height = w, h
	}
	return f, nil
}

// take hands over the frame being built and starts afresh.
func (d *Depacketizer) take() Frame {
	f := Frame{TS: d.ts}
	if !d.broken && len(d.buf) > 0 {
		f.Data = append([]byte(nil), d.buf...)
		f.Key = IsKeyFrame(f.Data)
	}
	d.inFrame, d.done, d.broken, d.reported, d.buf = false, false, false, false, d.buf[:0]
	return f
}

// lose marks the frame being built as unusable; err is returned the first
// time only, so one lost frame is one error.
func (d *Depacketizer) lose(err error) error {
	d.broken = true
	if d.reported {
		return nil
	}
	d.reported = true
	return err
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
