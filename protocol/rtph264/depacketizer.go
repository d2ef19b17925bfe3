package rtph264

import (
	"errors"
	"fmt"

	"github.com/pion/rtp"
)

const (
	// MaxAUSize bounds the bytes buffered for one access unit. A 4K IDR frame
	// at a generous bitrate stays well under it; a peer sending more is
	// broken or hostile, and one call must not be able to eat the gateway's
	// memory.
	MaxAUSize = 8 << 20
	// MaxAUNALs bounds the NAL units of one access unit. Encoders use a few
	// slices per frame plus parameter sets and SEI; thousands of tiny NAL
	// units would only cost per-unit overhead downstream.
	MaxAUNALs = 256

	// maxKeptBuf is the largest gathering buffer kept from one access unit
	// to the next: enough for the key frames of a 1080p call, so that
	// steady state allocates nothing per packet, while one huge unit does
	// not pin MaxAUSize for the rest of the call.
	maxKeptBuf = 1 << 20
)

// Depacketizer reassembles H.264 access units from RTP packets of one SSRC.
// The zero value is ready to use. It is not safe for concurrent use.
type Depacketizer struct {
	// buf gathers the bytes of the access unit being built, NAL units back
	// to back, the one being reassembled from FU-A fragments last; ends
	// holds where each complete NAL unit ends in buf. Both are reused from
	// one unit to the next, so a packet costs a copy and no allocation;
	// take copies a finished unit out once.
	buf      []byte
	ends     []int
	ts       uint32 // RTP timestamp of the access unit being built
	inAU     bool   // a packet of the access unit at ts has been seen
	done     bool   // the marker ended the unit while another unit was being returned
	dropping bool   // the access unit overflowed: ignore the rest of it

	inFrag   bool // buf ends with the head of a NAL unit whose end is awaited
	skipFrag bool // the fragmented NAL unit in flight was lost and reported

	seq    uint16 // last sequence number seen
	hasSeq bool
}

// Push consumes one RTP packet. When an access unit is complete it returns
// its NAL units (without start codes, copied out of pkt) and its RTP
// timestamp. A unit completes on the marker bit, or when a packet with a new
// timestamp arrives: then the previous unit is returned and pkt starts the
// next one.
//
// Like io.Reader, Push may return an access unit together with an error:
// the error concerns pkt (or a NAL unit lost along the way), while the unit
// returned is good. Handle au before err.
//
// Packets with an empty payload (RTP padding only) only advance the sequence
// number tracking: senders use them as bandwidth probes, with timestamps
// that need not belong to any frame. A packet repeating the previous
// sequence number is taken for a network duplicate and ignored.
func (d *Depacketizer) Push(pkt *rtp.Packet) (au [][]byte, ts uint32, err error) {
	if d.done {
		au, ts = d.take()
	}

	if d.hasSeq && pkt.SequenceNumber == d.seq {
		return au, ts, nil
	}
	if d.hasSeq && pkt.SequenceNumber != d.seq+1 {
		err = d.onGap()
	}
	d.seq, d.hasSeq = pkt.SequenceNumber, true

	if len(pkt.Payload) == 0 {
		return au, ts, err
	}

	if d.inAU && pkt.Timestamp != d.ts {
		if d.inFrag {
			err = errors.Join(err, d.loseFragment())
		}
		au, ts = d.take()
	}
	if !d.inAU {
		d.inAU, d.ts = true, pkt.Timestamp
	}
	if !d.dropping {
		err = errors.Join(err, d.consume(pkt.Payload))
	}

	if pkt.Marker {
		if d.inFrag {
			// The marker closes the access unit, so the NAL unit in
			// flight can never be completed.
			err = errors.Join(err, d.loseFragment())
		}
		if au == nil {
			au, ts = d.take()
		} else if len(d.ends) > 0 {
			d.done = true
		} else {
			d.take()
		}
	}
	return au, ts, err
}

// Reset drops every partial state: the access unit being built, the NAL unit
// being reassembled and the sequence tracking. Call it after an SSRC change
// or a long loss.
func (d *Depacketizer) Reset() {
	*d = Depacketizer{buf: d.buf[:0], ends: d.ends[:0]}
}

// consume dispatches one non-empty payload by its structure type.
func (d *Depacketizer) consume(payload []byte) error {
	typ := NALType(payload[0])
	var err error
	if d.inFrag && typ != typeFUA {
		// RFC 6184 §5.8: fragments of one NAL unit are sent back to back,
		// so anything else in between means the rest of it is gone.
		err = d.loseFragment()
	}
	switch typ {
	case typeFUA:
		return errors.Join(err, d.consumeFUA(payload))
	case typeSTAPA:
		d.skipFrag = false
		return errors.Join(err, d.consumeSTAPA(payload))
	case typeSTAPB, typeMTAP16, typeMTAP24, typeFUB:
		return errors.Join(err, fmt.Errorf("%w: structure type %d", ErrUnsupportedPacketization, typ))
	case 0, 30, 31:
		// Undefined types: there is no structure to parse, and one odd
		// packet must not fail the stream, so it is skipped.
		return err
	default:
		d.skipFrag = false
		return errors.Join(err, d.appendNAL(payload))
	}
}

// appendNAL adds a copy of nal to the access unit, enforcing the limits.
func (d *Depacketizer) appendNAL(nal []byte) error {
	if len(d.ends) >= MaxAUNALs || len(d.buf)+len(nal) > MaxAUSize {
		d.overflow()
		return ErrAUTooBig
	}
	d.buf = append(d.buf, nal...)
	d.ends = append(d.ends, len(d.buf))
	return nil
}

// fragStart is where the NAL unit being reassembled begins in buf.
func (d *Depacketizer) fragStart() int {
	if len(d.ends) == 0 {
		return 0
	}
	return d.ends[len(d.ends)-1]
}

// overflow discards the access unit and ignores the rest of it.
func (d *Depacketizer) overflow() {
	d.buf, d.ends, d.dropping = d.buf[:0], d.ends[:0], true
	d.inFrag, d.skipFrag = false, false
}

// take hands over the access unit being built, in one allocation for its
// bytes and one for its NAL units (capped, so that appending to one cannot
// overwrite the next), and starts afresh. A unit whose NAL units were all
// lost comes out as nil.
func (d *Depacketizer) take() ([][]byte, uint32) {
	var au [][]byte
	if len(d.ends) > 0 {
		data := make([]byte, d.ends[len(d.ends)-1])
		copy(data, d.buf)
		au = make([][]byte, len(d.ends))
		start := 0
		for i, end := range d.ends {
			au[i] = data[start:end:end]
			start = end
		}
	}
	ts := d.ts
	if cap(d.buf) > maxKeptBuf {
		d.buf = nil
	}
	d.buf, d.ends = d.buf[:0], d.ends[:0]
	d.inAU, d.done, d.dropping, d.skipFrag = false, false, false, false
	if au == nil {
		return nil, 0
	}
	return au, ts
}

// onGap reacts to a sequence number jump.
func (d *Depacketizer) onGap() error {
	if d.inFrag {
		return d.loseFragment()
	}
	// A fragment arriving after the gap belongs to a NAL unit whose head may
	// be in the gap: it must be reported afresh, not silently skipped.
	d.skipFrag = false
	return nil
}

// loseFragment drops the NAL unit being reassembled; its remaining
// fragments are then skipped without further errors.
func (d *Depacketizer) loseFragment() error {
	d.buf = d.buf[:d.fragStart()]
	d.inFrag, d.skipFrag = false, true
	return ErrFragmentLost
}
