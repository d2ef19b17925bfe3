package device

import (
	"encoding/binary"
	"time"
)

// rtpSource is one outgoing RTP stream as a schedule: when its next packet is
// due (from the start of the call) and, on demand, that packet. Sources are
// plain single-goroutine state; the call's loop drives them.
type rtpSource interface {
	nextAt() time.Duration
	// packet writes the next packet into buf (reusing its storage), advances,
	// and returns it.
	packet(buf []byte) []byte
}

// rtpIDs are the per-stream identifiers, random per call (RFC 3550 §5.1)
// and fixed for its life.
type rtpIDs struct {
	pt     uint8
	ssrc   uint32
	seq    uint16 // of the next packet
	tsBase uint32
}

// putHeader rewrites a 12-byte RTP header in place, keeping the version,
// padding, extension, CSRC count and marker bits already there.
func (id *rtpIDs) putHeader(b []byte, ts uint32) {
	b[1] = b[1]&0x80 | id.pt&0x7f
	binary.BigEndian.PutUint16(b[2:], id.seq)
	binary.BigEndian.PutUint32(b[4:], id.tsBase+ts)
	binary.BigEndian.PutUint32(b[8:], id.ssrc)
	id.seq++
}

// videoSource replays the capture in a loop. Sequence numbers run on
// across loops; each loop's timestamps are shifted by the capture's period,
// so the stream looks like one endless recording.
type videoSource struct {
	cap  *capture
	ids  rtpIDs
	i    int    // next packet of the capture
	loop uint32 // loops completed
}

func (v *videoSource) nextAt() time.Duration {
	return time.Duration(v.loop)*v.cap.period + v.cap.pkts[v.i].at
}

func (v *videoSource) packet(buf []byte) []byte {
	p := v.cap.pkts[v.i]
	buf = append(buf[:0], p.raw...)
	v.ids.putHeader(buf, v.loop*v.cap.periodTS+p.ts)
	if v.i++; v.i == len(v.cap.pkts) {
		v.i = 0
		v.loop++
	}
	return buf
}

// audioSource sends the tone as 20 ms PCMU packets, looped.
type audioSource struct {
	frames [][]byte
	ids    rtpIDs
	n      uint32 // packets sent
}

func (a *audioSource) nextAt() time.Duration {
	return time.Duration(a.n) * audioPTime
}

func (a *audioSource) packet(buf []byte) []byte {
	buf = append(buf[:0], make([]byte, rtpHeaderLen)...)
	buf[0] = 0x80 // version 2
	if a.n == 0 {
		buf[1] = 0x80 // marker: the first packet of a talkspurt (RFC 3551 §4.1)
	}
	a.ids.putHeader(buf, a.n*uint32(audioFrameBytes))
	buf = append(buf, a.frames[int(a.n)%len(a.frames)]...)
	a.n++
	return buf
}
