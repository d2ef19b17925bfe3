package viewer

import (
	"time"

	pionrtp "github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/media/frame"
)

// mtu is the largest RTP payload sent to browsers: below every path MTU with room for SRTP,
// the header extensions and TURN.
const mtu = 1160

// Packet is one RTP packet of the call's stream as every viewer gets it. It is shared: nobody
// may modify it. Each viewer's session rewrites SSRC, payload type and sequence number on its
// own copy of the header.
type Packet struct {
	Video bool
	// Key marks the first packet of a key frame: a viewer that dropped video starts again here.
	Key bool
	RTP *pionrtp.Packet
}

// track packetises one media line of the call for browsers. Its timestamps follow the call's
// timeline, not the device's RTP clock, and its sequence numbers only count up: both stay
// continuous across the device's restarts, re-INVITEs and codec changes.
type track struct {
	video   bool
	codec   string
	rate    uint32
	offset  uint32 // random start of the timestamps
	seq     uint16
	h264    codecs.H264Payloader
	vp8     codecs.VP8Payloader
	lastTS  uint32
	started bool
}

func newTrack(video bool, offset uint32, seq uint16) *track {
	t := &track{video: video, offset: offset, seq: seq}
	t.vp8.EnablePictureID = true
	return t
}

// configure follows a codec change of the line; the timeline, and so the timestamps, go on.
func (t *track) configure(src *rtp.Source) {
	if src.Codec != t.codec {
		t.h264 = codecs.H264Payloader{}
		t.vp8 = codecs.VP8Payloader{EnablePictureID: true}
	}
	t.codec, t.rate = src.Codec, src.ClockRate
	if t.rate == 0 {
		t.rate = 8000
	}
}

// timestamp places pts on the track's RTP clock, never before the previous packet's.
func (t *track) timestamp(pts time.Duration) uint32 {
	ts := t.offset + uint32(int64(pts)*int64(t.rate)/int64(time.Second))
	if t.started && int32(ts-t.lastTS) < 0 {
		ts = t.lastTS
	}
	t.started, t.lastTS = true, ts
	return ts
}

// wrap makes the packets of one frame's payloads: the marker on the last.
func (t *track) wrap(payloads [][]byte, ts uint32, key bool) []Packet {
	out := make([]Packet, 0, len(payloads))
	for i, p := range payloads {
		pkt := &pionrtp.Packet{Header: pionrtp.Header{Version: 2, SequenceNumber: t.seq, Timestamp: ts,
			Marker: t.video && i == len(payloads)-1}, Payload: p}
		t.seq++
		out = append(out, Packet{Video: t.video, Key: key && i == 0, RTP: pkt})
	}
	return out
}

// h264Frame packetises an access unit in packetization-mode 1 (single NAL units, STAP-A,
// FU-A), whatever mode the device used. A key frame carries SPS and PPS in front: a viewer
// that starts there needs nothing else.
func (t *track) h264Frame(f *frame.VideoFrame) []Packet {
	if t.codec != "H264" {
		return nil
	}
	var annexB []byte
	nal := func(n []byte) {
		annexB = append(annexB, 0, 0, 0, 1)
		annexB = append(annexB, n...)
	}
	if f.Key && f.SPS != nil && f.PPS != nil && !hasParams(f.AU) {
		nal(f.SPS)
		nal(f.PPS)
	}
	for _, n := range f.AU {
		if len(n) > 0 {
			nal(n)
		}
	}
	payloads := t.h264.Payload(mtu, annexB)
	if len(payloads) == 0 {
		return nil
	}
	return t.wrap(payloads, t.timestamp(f.PTS), f.Key)
}

// hasParams reports whether an access unit carries its own SPS.
func hasParams(au [][]byte) bool {
	for _, n := range au {
		if len(n) > 0 && n[0]&0x1f == 7 {
			return true
		}
	}
	return false
}

// vp8Frame packetises one VP8 frame.
func (t *track) vp8Frame(f *frame.EncodedVideo) []Packet {
	if t.codec != "VP8" || len(f.Data) == 0 {
		return nil
	}
	payloads := t.vp8.Payload(mtu, f.Data)
	if len(payloads) == 0 {
		return nil
	}
	return t.wrap(payloads, t.timestamp(f.PTS), f.Key)
}

// audio passes one packet's payload as it came (G.711, Opus).
func (t *track) audio(a *frame.RawAudio) []Packet {
	if !passable(t.codec) || len(a.Data) == 0 {
		return nil
	}
	return t.wrap([][]byte{a.Data}, t.timestamp(a.PTS), false)
}

// passable reports whether browsers take an audio codec as the device sends it.
func passable(codec string) bool {
	switch codec {
	case "PCMU", "PCMA", "OPUS":
		return true
	}
	return false
}
