package rtp

import (
	"net"
	"time"

	pionrtp "github.com/pion/rtp"
)

// Limits of the source check (sourceGuard), as strict-RTP media servers apply them (Asterisk's
// strictrtp learning, rtpengine's strict source): a call's ports are predictable, and two
// packets from anyone used to be enough to break its stream (issue #12).
const (
	// probation is how many packets in sequence (same source, same SSRC, consecutive sequence
	// numbers, the negotiated payload type) a later source must send before it replaces the one
	// taken: 80 ms of audio, a few video packets. A spoofer firing single packets never gets there.
	probation = 4
	// takeoverQuiet is how long the source taken so far must have been silent before another one
	// that proved itself replaces it (a device whose NAT mapping changed). While the device
	// streams, nobody else can take its place.
	takeoverQuiet = time.Second
)

// sourceGuard decides which datagrams on a line are the device's. A source is eligible at the
// SDP's IP address only, or anywhere with latching (symmetric RTP, for devices behind NAT). The
// SDP's exact address, or else the first eligible source to send valid RTP with the negotiated
// payload type, is taken at once, so a call starts (and goes on after a re-INVITE that moved
// the device or changed its codec, see takenPT) without losing a packet. From then on packets from every other source are dropped, until the one taken has been
// silent for takeoverQuiet and another proved itself (see probation). Not safe for concurrent
// use: the actor's only.
type sourceGuard struct {
	sdp      *net.UDPAddr // the SDP's address; nil when it named none
	anywhere bool         // latching: a source at any IP address may prove itself

	taken     *net.UDPAddr // the source whose media is accepted; nil until one is
	lastTaken time.Time    // its last packet
	// takenPT is the payload type of the taken source's last media packet: when a re-INVITE
	// changes the codec, the first valid source in the new one is taken at once (a device's
	// new encoder often sends from a new port), until the old source has sent it too.
	takenPT int

	cand     *net.UDPAddr // the source proving itself
	candSSRC uint32
	candSeq  uint16
	candRun  int

	dropped uint64
}

// reset starts over for a new SDP address or latching mode. The same SDP again (a re-INVITE
// that did not move the device) keeps the source taken.
func (g *sourceGuard) reset(sdp *net.UDPAddr, latch bool) {
	if sameOrNone(g.sdp, sdp) && g.anywhere == latch {
		return
	}
	*g = sourceGuard{sdp: sdp, anywhere: latch, takenPT: -1, dropped: g.dropped}
}

// admit reports whether a packet from from is the device's, and whether it made from the
// source taken (first source, or a takeover). mediaPT is the negotiated payload type (-1 before
// the answer said it: then no source is taken).
func (g *sourceGuard) admit(from *net.UDPAddr, h *pionrtp.Header, mediaPT int, now time.Time) (ok, taken bool) {
	if from == nil {
		g.dropped++
		return false, false
	}
	valid := h.Version == 2 && mediaPT >= 0 && int(h.PayloadType) == mediaPT
	if sameAddr(from, g.taken) {
		g.lastTaken = now
		if valid {
			g.takenPT = mediaPT
		}
		return true, false
	}
	if g.taken == nil && sameAddr(from, g.sdp) {
		// Where the SDP said the device is: whatever it sends first (a digit, comfort noise).
		g.take(from, now, valid, mediaPT)
		return true, true
	}
	if valid && sameAddr(from, g.sdp) && !g.taken.IP.Equal(g.sdp.IP) {
		// With latching, whoever fires valid RTP at the port before the device starts sending is
		// taken first, from any address: the signalled address takes its place back the moment
		// the device speaks. (A move between the device's own ports is not undone: see takenPT.)
		g.take(from, now, valid, mediaPT)
		return true, true
	}
	if !g.anywhere && g.sdp != nil && !from.IP.Equal(g.sdp.IP) {
		g.dropped++
		return false, false
	}
	if valid && (g.taken == nil || g.takenPT != mediaPT) {
		g.take(from, now, valid, mediaPT)
		return true, true
	}
	if valid {
		if sameAddr(from, g.cand) && h.SSRC == g.candSSRC && h.SequenceNumber == g.candSeq+1 {
			g.candRun++
		} else {
			g.cand, g.candSSRC, g.candRun = from, h.SSRC, 1
		}
		g.candSeq = h.SequenceNumber
		if g.candRun >= probation && now.Sub(g.lastTaken) >= takeoverQuiet {
			g.take(from, now, valid, mediaPT)
			return true, true
		}
	}
	g.dropped++
	return false, false
}

func (g *sourceGuard) take(from *net.UDPAddr, now time.Time, valid bool, mediaPT int) {
	g.taken, g.lastTaken, g.takenPT = from, now, -1
	if valid {
		g.takenPT = mediaPT
	}
	g.cand, g.candRun = nil, 0
}

// sameOrNone: both nil, or the same address.
func sameOrNone(a, b *net.UDPAddr) bool {
	return (a == nil && b == nil) || sameAddr(a, b)
}
