package rtp

import (
	"log/slog"
	"time"

	"github.com/pion/rtcp"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/clock"
)

// maxSyncShift is the most a sender report may move a line against where arrival placed it. A
// real device's two lines are a few hundred ms apart at worst; a larger shift means the
// reports are not on one clock (a device that restarted one line with another clock), and the
// line keeps its arrival-based place rather than jump.
const maxSyncShift = 3 * time.Second

// maxSyncSlew is the most a later report on an unchanged group zero moves its line: 10 ms per
// report (one every few seconds) follows any real clock drift (2000 ppm and more) while a
// report off by tens of ms moves the line no more than that.
const maxSyncSlew = 10 * time.Millisecond

// syncStage is lip sync: it places its pipe's timeline where the device's RTCP sender reports
// say the line is against the call's other line, before the pipe maps a packet.
type syncStage struct {
	next      pipe
	log       *slog.Logger
	clockRate uint32
	group     *clock.SyncGroup // shared by the call's lines; nil: arrival-based only
	sr        clock.SenderReport
	haveSR    bool
	offered   map[uint32]bool // SSRCs whose first report offered a zero
	dirty     bool            // a new report: rebase on the next packet
	version   uint64          // of the group's zero last applied
	applied   uint32          // the SSRC a report last placed, if placed
	placed    bool
	warned    bool
}

func (s *syncStage) push(pkt *pionrtp.Packet, arrival time.Time, lost int) {
	s.apply(pkt)
	s.next.push(pkt, arrival, lost)
}

// handleRTCP reads the device's sender reports: each gives the NTP↔RTP pair of its line. A
// report may come before the line's first packet (ffmpeg sends one first): it is kept and used
// once the packets of its SSRC flow.
func (a *Actor) handleRTCP(m *rtcpRead) {
	if a.path == nil || a.path.sync.group == nil {
		return
	}
	pkts, err := rtcp.Unmarshal(m.buf)
	if err != nil {
		return
	}
	for _, p := range pkts {
		if sr, ok := p.(*rtcp.SenderReport); ok {
			a.path.sync.report(clock.SenderReport{SSRC: sr.SSRC, NTP: clock.NTPTime(sr.NTPTime), RTP: sr.RTPTime})
		}
	}
}

// report takes a sender report: the next packet of its SSRC rebases the line.
func (s *syncStage) report(sr clock.SenderReport) {
	s.sr, s.haveSR, s.dirty = sr, true, true
}

// apply moves the line to where the latest sender report and the group's zero place it,
// once per new report or new zero, before pkt is mapped. The first report of an SSRC, once its
// timeline is anchored, offers the group the zero that keeps the line where arrival put it.
func (s *syncStage) apply(pkt *pionrtp.Packet) {
	if s.group == nil || !s.haveSR || s.sr.SSRC != pkt.SSRC {
		return
	}
	tl := s.next.timeline()
	if !s.offered[pkt.SSRC] {
		pos, ok := tl.Peek(s.sr.RTP)
		if !ok {
			return // not anchored yet: the next packet tries again
		}
		if s.offered == nil {
			s.offered = map[uint32]bool{}
		}
		s.offered[pkt.SSRC] = true
		s.group.Offer(s.sr.NTP - pos)
	}
	zero, version, ok := s.group.Zero()
	if !ok || (!s.dirty && version == s.version) {
		return
	}
	wall, ok := s.sr.At(pkt.Timestamp, s.clockRate)
	if !ok {
		return
	}
	sameZero := s.applied == pkt.SSRC && s.placed && version == s.version
	s.dirty, s.version = false, version
	at := wall - zero
	now, placed := tl.Peek(pkt.Timestamp)
	if placed && (at-now > maxSyncShift || now-at > maxSyncShift) {
		if !s.warned {
			s.warned = true
			s.log.Warn("sender report far from arrival: lip sync off for this line", "shift", at-now)
		}
		return
	}
	if placed && sameZero {
		// A later report on the same zero only tracks clock drift, plus the sender's own
		// jitter in pairing NTP and RTP (tens of ms from a loaded softphone): follow it a
		// little a report, so a noisy report never jerks a picture back onto its predecessor.
		at = now + min(max(at-now, -maxSyncSlew), maxSyncSlew)
	}
	s.applied, s.placed = pkt.SSRC, true
	tl.Rebase(pkt.Timestamp, max(at, 0))
}
