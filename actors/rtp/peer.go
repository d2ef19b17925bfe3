package rtp

import (
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/metrics"
)

// peerState is the actor's view of the device, kept apart from the media pipelines.
type peerState struct {
	peer     *Peer
	parent   *actor.PID
	remote   *net.UDPAddr // where RTP goes: the SDP's, or the latched source
	rtcp     *net.UDPAddr // where RTCP goes once latched
	latched  bool
	since    time.Time // the Peer's arrival: the start of the grace before the first packet
	heard    time.Time // the device's last RTP or RTCP; zero until its first
	timedOut bool
	silence  *silenceSender
	events   eventReceiver
	// rtcpLatched: the device's RTCP came, so rtcp is its real source rather than the SDP's
	// address or the guess of RTP's port + 1.
	rtcpLatched bool
	// src is the source of the last RTP datagram (the reader names it only when it changes);
	// guard decides which sources are the device's.
	src   *net.UDPAddr
	guard sourceGuard
}

func (a *Actor) handlePeer(ctx actor.Context, m *Peer) {
	a.kept.peer = m
	if a.peerSt == nil {
		a.peerSt = &peerState{}
	}
	p := a.peerSt
	p.peer, p.parent, p.since, p.timedOut = m, ctx.Parent(), a.cfg.Now(), false
	p.guard.reset(m.RTP, m.Latch)
	if !m.Latch {
		p.latched, p.rtcpLatched = false, false
	}
	if !p.latched {
		p.remote = m.RTP
	}
	if !p.latched && !p.rtcpLatched {
		p.rtcp = m.RTCP
	}
	if a.conf != nil && p.rtcp != nil {
		a.conf.RemoteRTCP = p.rtcp
	}
	a.restartSilence(m)
	a.log.Info("peer", "remote", p.remote, "receives", m.Receives, "silence", m.Silence, "dtmfPt", m.TelephoneEvent)
}

// heardFrom notes a datagram of the device. For RTP it first drops packets from strangers (see
// sourceGuard), then latches and takes telephone events; it reports whether the packet was
// either (and so is not media).
func (a *Actor) heardFrom(ctx actor.Context, from *net.UDPAddr, pkt *pionrtp.Packet) bool {
	if a.peerSt == nil {
		a.peerSt = &peerState{}
	}
	p := a.peerSt
	if pkt != nil && from != nil {
		p.src = from
	}
	if p.peer == nil {
		// No SDP exchange yet, so no media expected: the packet goes nowhere either way.
		return false
	}
	taken := false
	if pkt != nil {
		var ok bool
		if ok, taken = p.guard.admit(p.src, &pkt.Header, a.mediaPT(), a.cfg.Now()); !ok {
			a.stranger(pkt)
			return true
		}
	}
	p.heard = a.cfg.Now()
	if p.timedOut {
		p.timedOut = false
		a.log.Info("media resumed")
		a.tellParent(ctx, &MediaResumed{Kind: a.cfg.Kind})
	}
	if pkt == nil {
		return false
	}
	if p.peer.Latch && taken && !sameAddr(p.src, p.remote) {
		// The source that proved itself is the device: send there (symmetric RTP).
		from := p.src
		p.remote, p.latched = from, true
		if !p.rtcpLatched {
			// Until the device's own RTCP shows where it comes from: the port above its RTP one
			// behind the same NAT mapping, as often as not.
			p.rtcp = &net.UDPAddr{IP: from.IP, Port: from.Port + 1}
		}
		if a.conf != nil {
			a.conf.RemoteRTCP = p.rtcp
		}
		a.log.Info("latched", "rtp", from)
		a.tellParent(ctx, &Latched{Kind: a.cfg.Kind, RTP: from})
	}
	if int(pkt.PayloadType) == p.peer.TelephoneEvent && p.peer.TelephoneEvent >= 0 {
		for _, d := range p.events.push(pkt, p.heard) {
			a.log.Info("DTMF received", "type", "RFC2833", "digit", string(d.Digit), "ms", d.Duration.Milliseconds())
			a.tellParent(ctx, &d)
		}
		return true
	}
	return false
}

// handleRTCPRead takes an RTCP datagram from the device: it proves the device alive, shows where
// its RTCP comes from (latching), and its sender reports place the line for lip sync. RTCP from
// another IP address than the device's is dropped and counted like a stranger's RTP: a forged
// sender report would move the line's timeline, a forged source our RTCP.
func (a *Actor) handleRTCPRead(ctx actor.Context, m *rtcpRead) {
	if !a.rtcpFromDevice(m.from) {
		metrics.RTPStrangers.Inc()
		return
	}
	a.heardFrom(ctx, nil, nil)
	a.latchRTCP(m.from)
	a.handleRTCP(m)
}

// rtcpFromDevice: RTCP comes from the IP address of the RTP source taken, or before one is, of
// the SDP's addresses. With no SDP exchange yet, or an SDP naming no address, there is nothing
// to check against.
func (a *Actor) rtcpFromDevice(from *net.UDPAddr) bool {
	p := a.peerSt
	if p == nil || p.peer == nil {
		return true
	}
	if from == nil {
		return false
	}
	switch g := &p.guard; {
	case g.taken != nil:
		return from.IP.Equal(g.taken.IP)
	case g.sdp != nil:
		return from.IP.Equal(g.sdp.IP) || (p.peer.RTCP != nil && from.IP.Equal(p.peer.RTCP.IP))
	}
	return true
}

// latchRTCP takes the source of the device's first RTCP packet as where ours goes, with
// symmetric latching on: behind NAT, its mapping of the RTCP port need not be RTP's + 1, nor
// what a=rtcp says.
func (a *Actor) latchRTCP(from *net.UDPAddr) {
	p := a.peerSt
	if p == nil || p.peer == nil || !p.peer.Latch || from == nil || p.rtcpLatched {
		return
	}
	if t := p.guard.taken; t == nil || !from.IP.Equal(t.IP) {
		// Only the device's RTCP moves ours: it comes from where its RTP comes from.
		return
	}
	p.rtcpLatched = true
	if sameAddr(from, p.rtcp) {
		return
	}
	p.rtcp = from
	if a.conf != nil {
		a.conf.RemoteRTCP = from
	}
	a.log.Info("latched", "rtcp", from)
}

// checkMedia runs on every report tick: a line the device should send on that stayed silent
// past its timeout is reported once; pending telephone events without an end are flushed.
func (a *Actor) checkMedia(ctx actor.Context) {
	p := a.peerSt
	if p == nil || p.peer == nil {
		return
	}
	now := a.cfg.Now()
	if d, ok := p.events.flush(now); ok {
		a.tellParent(ctx, &d)
	}
	if !p.peer.Receives || p.timedOut {
		return
	}
	last, limit, started := p.since, p.peer.StartTimeout, false
	if p.heard.After(p.since) {
		last, limit, started = p.heard, p.peer.Timeout, true
	}
	if limit <= 0 || now.Sub(last) < limit {
		return
	}
	p.timedOut = true
	a.log.Warn("media timeout", "silence", now.Sub(last), "started", started)
	a.tellParent(ctx, &MediaTimedOut{Kind: a.cfg.Kind, Silence: now.Sub(last), Started: started})
}

func (a *Actor) tellParent(ctx actor.Context, msg any) {
	if a.peerSt != nil && a.peerSt.parent != nil {
		ctx.Send(a.peerSt.parent, msg)
	}
}

func (a *Actor) stopPeer() {
	if a.peerSt != nil && a.peerSt.silence != nil {
		a.peerSt.silence.stop()
		a.peerSt.silence = nil
	}
}

func sameAddr(a, b *net.UDPAddr) bool {
	return a != nil && b != nil && a.Port == b.Port && a.IP.Equal(b.IP)
}

// mediaPT is the payload type media must carry on this line; -1 before the answer said.
func (a *Actor) mediaPT() int {
	if a.conf == nil {
		return -1
	}
	return int(a.conf.PayloadType)
}

// stranger counts a packet the source check refused; the first and every 1000th are logged.
func (a *Actor) stranger(pkt *pionrtp.Packet) {
	metrics.RTPStrangers.Inc()
	if n := a.peerSt.guard.dropped; n == 1 || n%1000 == 0 {
		a.log.Warn("RTP dropped", "err", ErrStranger, "from", a.peerSt.src, "ssrc", pkt.SSRC, "pt", pkt.PayloadType,
			"taken", a.peerSt.guard.taken, "dropped", n)
	}
}
