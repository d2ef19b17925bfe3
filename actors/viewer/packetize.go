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
	video bool
	codec string // the device's
	rate  uint32 // of the packets sent: the device's clock, or Opus's for a transcoded line
	// srcRate is the device's clock rate.
	srcRate uint32
	offset  uint32 // random start of the timestamps
	seq     uint16
	h264    codecs.H264Payloader
	vp8     codecs.VP8Payloader
	// opus re-encodes Speex while a viewer takes the audio (hub.syncTranscode); nil otherwise.
	opus    *speexOpus
	lastTS  uint32
	started bool
}

func newTrack(video bool, offset uint32, seq uint16) *track {
	t := &track{video: video, offset: offset, seq: seq}
	t.vp8.EnablePictureID = true
	return t
}

// configure follows a codec change of the line; the timeline, and so the timestamps, go on.
// A Speex line's transcoder closes: the hub opens one for the new rate if viewers want it.
func (t *track) configure(src *rtp.Source) {
	if src.Codec != t.codec || src.ClockRate != t.srcRate {
		t.h264 = codecs.H264Payloader{}
		t.vp8 = codecs.VP8Payloader{EnablePictureID: true}
		t.stopTranscode()
	}
	t.codec, t.srcRate = src.Codec, src.ClockRate
	if t.srcRate == 0 {
		t.srcRate = 8000
	}
	t.rate = t.srcRate
	if transcoded(t.codec) {
		t.rate = opusClock
	}
}

// startTranscode opens the line's transcoder, if its codec needs one and it is not open.
func (t *track) startTranscode() error {
	if t.opus != nil || !transcoded(t.codec) {
		return nil
	}
	o, err := newSpeexOpus(int(t.srcRate))
	if err != nil {
		return err
	}
	t.opus = o
	return nil
}

// stopTranscode closes the line's transcoder, if open.
func (t *track) stopTranscode() {
	if t.opus != nil {
		t.opus.close()
		t.opus = nil
	}
}

// timestamp places pts on the track's RTP clock, never before the previous frame's, and a video
// frame always after it: a browser tells video frames apart by their timestamp, and two on one
// would be assembled as one broken picture. (After a device restart the call's timeline goes on
// from its latest time when the new stream's first packet arrived earlier than that: its first
// frame lands where the last one was.)
func (t *track) timestamp(pts time.Duration) uint32 {
	ts := t.offset + uint32(int64(pts)*int64(t.rate)/int64(time.Second))
	if t.started && int32(ts-t.lastTS) <= 0 {
		ts = t.lastTS
		if t.video {
			ts++
		}
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

// audio passes one packet's payload as it came (G.711, Opus), or re-encoded as Opus, one
// packet per 20 ms frame (Speex, while the transcoder is open).
func (t *track) audio(a *frame.RawAudio) []Packet {
	switch {
	case len(a.Data) == 0:
		return nil
	case passable(t.codec):
		return t.wrap([][]byte{a.Data}, t.timestamp(a.PTS), false)
	case t.opus == nil:
		return nil
	}
	var out []Packet
	for i, p := range t.opus.encode(a.Data) {
		if p != nil {
			out = append(out, t.wrap([][]byte{p}, t.timestamp(a.PTS+time.Duration(i)*speexFrame), false)...)
		}
	}
	return out
}

// passable reports whether browsers take an audio codec as the device sends it.
func passable(codec string) bool {
	switch codec {
	case "PCMU", "PCMA", "OPUS":
		return true
	}
	return false
}

// transcoded reports whether an audio codec reaches browsers re-encoded as Opus: browsers have
// no Speex.
func transcoded(codec string) bool { return codec == "SPEEX" }
