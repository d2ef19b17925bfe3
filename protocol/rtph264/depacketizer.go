package rtph264

import (
	"bytes"
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
)

// Depacketizer reassembles H.264 access units from RTP packets of one SSRC.
// The zero value is ready to use. It is not safe for concurrent use.
type Depacketizer struct {
	au       [][]byte // NAL units of the access unit being built; owned copies
	auSize   int      // bytes in au
	ts       uint32   // RTP timestamp of the access unit being built
	inAU     bool     // a packet of the access unit at ts has been seen
	done     bool     // the marker ended au while another unit was being returned
	dropping bool     // the access unit overflowed: ignore the rest of it

	frag     []byte // FU-A reassembly buffer, reused from one NAL unit to the next
	inFrag   bool   // frag holds the head of a NAL unit whose end is awaited
	skipFrag bool   // the fragmented NAL unit in flight was lost and reported

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
		} else if len(d.au) > 0 {
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
	*d = Depacketizer{frag: d.frag[:0]}
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
	if len(d.au) >= MaxAUNALs || d.auSize+len(nal) > MaxAUSize {
		d.overflow()
		return ErrAUTooBig
	}
	d.au = append(d.au, bytes.Clone(nal))
	d.auSize += len(nal)
	return nil
}

// overflow discards the access unit and ignores the rest of it.
func (d *Depacketizer) overflow() {
	d.au, d.auSize, d.dropping = nil, 0, true
	d.inFrag, d.skipFrag, d.frag = false, false, d.frag[:0]
}

// take hands over the access unit being built and starts afresh. A unit
// whose NAL units were all lost comes out as nil.
func (d *Depacketizer) take() ([][]byte, uint32) {
	au, ts := d.au, d.ts
	d.au, d.auSize, d.inAU, d.done, d.dropping, d.skipFrag = nil, 0, false, false, false, false
	if len(au) == 0 {
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
	d.inFrag, d.skipFrag, d.frag = false, true, d.frag[:0]
	return ErrFragmentLost
}
