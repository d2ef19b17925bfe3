package rtp

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"time"

	"github.com/sipcast/sipcast/protocol/sdp"
)

// silenceInterval is one packet: 20 ms, what the offer's a=ptime says and every device expects.
const silenceInterval = 20 * time.Millisecond

// G.711 codes of a zero sample: µ-law 0xFF, A-law 0xD5 (ITU-T G.711 tables 1 and 2).
const (
	ulawSilence = 0xFF
	alawSilence = 0xD5
)

// opusSilence is a 20 ms Opus frame of silence: TOC 0xF8 (CELT-only, fullband, 20 ms, mono, one
// frame) and a two-byte range-coded body that decodes to zeros — what WebRTC stacks send.
var opusSilence = []byte{0xF8, 0xFF, 0xFE}

// speexSilence is 20 ms of silence in Speex narrowband (8 kHz) and wideband (16 kHz): the frame
// libspeex settles on for zeros at its default quality (8), as ffmpeg -c:a libspeex writes it
// from anullsrc; speex_test.go decodes them back to silence with libspeex.
var (
	speexNBSilence = mustHex("2e9d1b9a2002017fffffffffff8100bfffffffffffc0805fffffffffffe0402ffffffffffff7")
	speexWBSilence = mustHex("369d1b9a20080168e8e8e8e8e8e8e88400b47474747474747442005a3a3a3a3a3a3a3a21002d1d1d1d1d1d1d1d1b3b60ababababab0ababababab0ababababab0ababababab7")
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// comfort is what a silence sender repeats, one frame per interval: 20 ms of silence on an
// audio line, a black keyframe every 500 ms on a video one (blackvideo.go).
type comfort struct {
	interval time.Duration
	step     uint32     // RTP timestamp increment of one interval
	frames   [][][]byte // the packets' payloads of each frame; the nth frame sent is frames[n%len]
	// video: the marker ends every frame (RFC 6184 §5.1, RFC 7741 §4.1) instead of starting a
	// talkspurt.
	video bool
}

// comfortOf is what to send on a kind of line in a codec; false for a codec sipcast cannot make
// silence or a picture in, or one of the other kind.
func comfortOf(kind Kind, codec string) (comfort, bool) {
	if kind == Video {
		return blackVideo(codec)
	}
	audio := func(payload []byte, step uint32) (comfort, bool) {
		return comfort{interval: silenceInterval, step: step, frames: [][][]byte{{payload}}}, true
	}
	switch codec {
	case sdp.NamePCMU:
		return audio(bytes.Repeat([]byte{ulawSilence}, 160), 160)
	case sdp.NamePCMA:
		return audio(bytes.Repeat([]byte{alawSilence}, 160), 160)
	case sdp.NameOpus:
		return audio(opusSilence, 960) // Opus's RTP clock is 48 kHz whatever the audio's rate
	case sdp.NameSpeex:
		return audio(speexNBSilence, 160)
	case sdp.NameSpeex + "/16000": // the call names wideband by its rate
		return audio(speexWBSilence, 320)
	}
	return comfort{}, false
}

// silenceSender paces the silence packets (the black frames on video). The shared metronome only
// posts ticks; the packets are built and written from the mailbox, where the sequence numbers
// and timestamps they share with the RFC 4733 sender live.
type silenceSender struct {
	gen    int
	cancel func() // leaves the metronome
	c      comfort
	pt     uint8
	frame  int    // frames sent
	buf    []byte // one packet, rewritten for each
	mark   bool   // audio: the next packet starts a talkspurt (RFC 3551 §4.1: marker set)
	sent   bool
	lastTS uint32
}

func (s *silenceSender) stop() { s.cancel() }

// restartSilence starts, restarts or stops the sender to match the Peer.
func (a *Actor) restartSilence(m *Peer) {
	p := a.peerSt
	frame := 0 // the count goes on across a re-INVITE: the next IDR still changes idr_pic_id
	if p.silence != nil {
		p.silence.stop()
		frame = p.silence.frame
		p.silence = nil
	}
	c, ok := comfortOf(a.cfg.Kind, m.SilenceCodec)
	if !m.Silence || !ok {
		a.stopTones("the device no longer takes audio from sipcast")
		return
	}
	a.rtpClock().rate = uint32(uint64(c.step) * uint64(time.Second) / uint64(c.interval))
	s := &silenceSender{c: c, pt: m.SilencePT & 0x7f, mark: true, frame: frame}
	s.gen = rand.Int()
	p.silence = s
	root, self, tick := a.system.Root, a.self, &silenceTick{gen: s.gen}
	s.cancel = everyTick(c.interval, func() { root.Send(self, tick) })
}

// handleSilenceTick sends one frame of silence or picture, unless telephone events are playing
// (RFC 4733 §2.5.1.2: their packets stand for the audio meanwhile) or nobody is known to send to.
func (a *Actor) handleSilenceTick(m *silenceTick) {
	p := a.peerSt
	if p == nil || p.silence == nil || p.silence.gen != m.gen || p.remote == nil {
		return
	}
	if a.dtmf != nil && len(a.dtmf.queue) > 0 {
		p.silence.mark = true
		return
	}
	clk := a.rtpClock()
	s := p.silence
	// The timestamp follows wall time, as the event sender's does, in whole intervals: ticks that
	// come late or not at all never make it run slow, and events and silence stay in one order.
	elapsed := a.cfg.Now().Sub(clk.epoch)
	ts := clk.base + uint32(elapsed/s.c.interval)*s.c.step
	if s.sent && int32(ts-s.lastTS) < int32(s.c.step) {
		ts = s.lastTS + s.c.step // two ticks in one interval: never the same time twice
	}
	s.sent, s.lastTS = true, ts
	frame := s.c.frames[s.frame%len(s.c.frames)]
	if tone := a.nextTone(); tone != nil {
		frame = [][]byte{tone}
	}
	s.frame++
	for i, payload := range frame {
		mark := s.mark
		if s.c.video {
			mark = i == len(frame)-1
		}
		s.mark = false
		b := append(s.buf[:0], 0x80, s.pt)
		if mark {
			b[1] |= 0x80
		}
		b = binary.BigEndian.AppendUint16(b, clk.seq)
		b = binary.BigEndian.AppendUint32(b, ts)
		b = binary.BigEndian.AppendUint32(b, a.ssrc)
		s.buf = append(b, payload...)
		clk.seq++
		clk.sent(len(payload))
		if _, err := a.cfg.Pair.RTP.WriteToUDP(s.buf, p.remote); err != nil {
			a.log.Debug("silence send", "err", err)
			return
		}
	}
}

// rtpClock is the sequence number and timestamp origin of everything the actor sends on its
// RTP socket: silence and telephone events are one RTP stream with one SSRC.
func (a *Actor) rtpClock() *dtmfSender {
	if a.dtmf == nil {
		a.dtmf = &dtmfSender{seq: uint16(rand.Uint32()), base: rand.Uint32(), epoch: a.cfg.Now()}
	}
	return a.dtmf
}
