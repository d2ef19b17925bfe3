package rtp

import (
	"bytes"
	"math/rand/v2"
	"sync"
	"time"
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

// silencePayload is one 20 ms packet of silence in a codec, and its RTP timestamp step; false for
// a codec sipcast cannot make silence in.
func silencePayload(codec string) ([]byte, uint32, bool) {
	switch codec {
	case "PCMU":
		return bytes.Repeat([]byte{ulawSilence}, 160), 160, true
	case "PCMA":
		return bytes.Repeat([]byte{alawSilence}, 160), 160, true
	case "OPUS":
		return opusSilence, 960, true // Opus's RTP clock is 48 kHz whatever the audio's rate
	}
	return nil, 0, false
}

// silenceSender paces the silence packets. The ticker goroutine only sends ticks; the packets
// are built and written from the mailbox, where the sequence numbers and timestamps they share
// with the RFC 4733 sender live.
type silenceSender struct {
	gen    int
	quit   chan struct{}
	done   sync.WaitGroup
	pkt    []byte // header + payload, rewritten in place for each packet
	step   uint32 // timestamp increment of one packet
	mark   bool   // the next packet starts a talkspurt (RFC 3551 §4.1: marker set)
	sent   bool
	lastTS uint32
}

func (s *silenceSender) stop() {
	close(s.quit)
	s.done.Wait()
}

// restartSilence starts, restarts or stops the sender to match the Peer.
func (a *Actor) restartSilence(m *Peer) {
	p := a.peerSt
	if p.silence != nil {
		p.silence.stop()
		p.silence = nil
	}
	payload, step, ok := silencePayload(m.SilenceCodec)
	if a.cfg.Kind != Audio || !m.Silence || !ok {
		return
	}
	s := &silenceSender{quit: make(chan struct{}), pkt: append(make([]byte, 12, 12+len(payload)), payload...),
		step: step, mark: true}
	s.pkt[0], s.pkt[1] = 0x80, m.SilencePT&0x7f
	gen := rand.Int()
	s.gen = gen
	p.silence = s
	root, self := a.system.Root, a.self
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		defer a.recoverGoroutine("silence")
		t := time.NewTicker(silenceInterval)
		defer t.Stop()
		for {
			select {
			case <-s.quit:
				return
			case <-t.C:
				root.Send(self, &silenceTick{gen: gen})
			}
		}
	}()
}

// handleSilenceTick sends one silence packet, unless telephone events are playing (RFC 4733
// §2.5.1.2: their packets stand for the audio meanwhile) or nobody is known to send to.
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
	// The timestamp follows wall time, as the event sender's does, in whole packets: ticks that
	// come late or not at all never make it run slow, and events and silence stay in one order.
	elapsed := a.cfg.Now().Sub(clk.epoch)
	ts := clk.base + uint32(elapsed/silenceInterval)*s.step
	if s.sent && int32(ts-s.lastTS) < int32(s.step) {
		ts = s.lastTS + s.step // two ticks in one 20 ms step: never the same time twice
	}
	s.sent, s.lastTS = true, ts
	b := s.pkt
	b[1] = b[1] & 0x7f
	if s.mark {
		b[1] |= 0x80
		s.mark = false
	}
	b[2], b[3] = byte(clk.seq>>8), byte(clk.seq)
	b[4], b[5], b[6], b[7] = byte(ts>>24), byte(ts>>16), byte(ts>>8), byte(ts)
	b[8], b[9], b[10], b[11] = byte(a.ssrc>>24), byte(a.ssrc>>16), byte(a.ssrc>>8), byte(a.ssrc)
	clk.seq++
	if _, err := a.cfg.Pair.RTP.WriteToUDP(b, p.remote); err != nil {
		a.log.Debug("silence send", "err", err)
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
