package rtp

import (
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

// syncState is one line's side of lip sync.
type syncState struct {
	group   *clock.SyncGroup
	sr      clock.SenderReport
	haveSR  bool
	offered map[uint32]bool // SSRCs whose first report offered a zero
	dirty   bool            // a new report: rebase on the next packet
	version uint64          // of the group's zero last applied
	applied uint32          // the SSRC a report last placed, if placed
	placed  bool
	warned  bool
}

// handleRTCP reads the device's sender reports: each gives the NTP↔RTP pair of its line. A
// report may come before the line's first packet (ffmpeg sends one first): it is kept and used
// once the packets of its SSRC flow.
func (a *Actor) handleRTCP(m *rtcpRead) {
	if a.media == nil || a.media.sync.group == nil {
		return
	}
	pkts, err := rtcp.Unmarshal(m.buf)
	if err != nil {
		return
	}
	for _, p := range pkts {
		if sr, ok := p.(*rtcp.SenderReport); ok {
			s := &a.media.sync
			s.sr = clock.SenderReport{SSRC: sr.SSRC, NTP: clock.NTPTime(sr.NTPTime), RTP: sr.RTPTime}
			s.haveSR, s.dirty = true, true
		}
	}
}

// applySync moves the line to where the latest sender report and the group's zero place it,
// once per new report or new zero, before pkt is mapped. The first report of an SSRC, once its
// timeline is anchored, offers the group the zero that keeps the line where arrival put it.
func (a *Actor) applySync(pkt *pionrtp.Packet) {
	if a.media == nil {
		return
	}
	s := &a.media.sync
	if s.group == nil || !s.haveSR || s.sr.SSRC != pkt.SSRC {
		return
	}
	tl := a.timeline()
	if tl == nil {
		return
	}
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
	wall, ok := s.sr.At(pkt.Timestamp, a.conf.ClockRate)
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
			a.log.Warn("sender report far from arrival: lip sync off for this line", "shift", at-now)
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

// timeline is the current pipe's.
func (a *Actor) timeline() *clock.Timeline {
	switch {
	case a.video != nil:
		return a.video.timeline
	case a.audio != nil:
		return a.audio.timeline
	case a.pass != nil:
		return a.pass.timeline
	case a.media != nil && a.media.vp8 != nil:
		return a.media.vp8.timeline
	case a.media != nil && a.media.coded != nil:
		return a.media.coded.timeline
	}
	return nil
}
