// Package rtpstats keeps the RFC 3550 reception statistics of one RTP source: the figures an RTCP
// receiver report carries (extended highest sequence number, cumulative and fractional loss,
// interarrival jitter). Pure and single-threaded; the clock is the caller's.
package rtpstats

import (
	"time"

	"github.com/pion/rtcp"
)

// maxDropout and maxMisorder are RFC 3550 appendix A.1's limits: a jump further than this is a
// restart of the source, not loss.
const (
	maxDropout  = 3000
	maxMisorder = 100
)

// Receiver accumulates statistics for one SSRC.
type Receiver struct {
	SSRC      uint32
	clockRate uint32
	started   bool
	baseSeq   uint32
	maxSeq    uint16
	cycles    uint32
	received  uint32
	// expectedPrior/receivedPrior are the counts at the last report, for the fraction lost.
	expectedPrior uint32
	receivedPrior uint32
	transit       int64
	jitter        float64
	lastArrival   time.Time
}

// NewReceiver starts statistics for a source with the given RTP clock rate.
func NewReceiver(clockRate uint32) *Receiver {
	return &Receiver{clockRate: clockRate}
}

// Update records one packet.
func (r *Receiver) Update(ssrc uint32, seq uint16, ts uint32, arrival time.Time) {
	if !r.started || ssrc != r.SSRC {
		*r = Receiver{SSRC: ssrc, clockRate: r.clockRate, started: true, baseSeq: uint32(seq), maxSeq: seq}
		r.received = 1
		r.lastArrival = arrival
		r.transit = r.arrivalUnits(arrival) - int64(ts)
		return
	}
	delta := seq - r.maxSeq
	switch {
	case delta < maxDropout:
		if seq < r.maxSeq {
			r.cycles += 1 << 16
		}
		r.maxSeq = seq
	case delta <= 1<<16-maxMisorder:
		// A very large jump: the source restarted. Start over from this packet.
		*r = Receiver{SSRC: ssrc, clockRate: r.clockRate, started: true, baseSeq: uint32(seq), maxSeq: seq}
	default:
		// Duplicate or reordered packet: counted, sequence state unchanged.
	}
	r.received++
	r.lastArrival = arrival
	transit := r.arrivalUnits(arrival) - int64(ts)
	d := transit - r.transit
	r.transit = transit
	if d < 0 {
		d = -d
	}
	r.jitter += (float64(d) - r.jitter) / 16
}

func (r *Receiver) arrivalUnits(t time.Time) int64 {
	return t.UnixNano() * int64(r.clockRate) / int64(time.Second)
}

// Started reports whether any packet was seen.
func (r *Receiver) Started() bool { return r.started }

// ExtendedMax is the extended highest sequence number received.
func (r *Receiver) ExtendedMax() uint32 { return r.cycles + uint32(r.maxSeq) }

// Lost is the cumulative number of packets lost (can be negative with duplicates, as RFC 3550 says).
func (r *Receiver) Lost() int64 {
	expected := int64(r.ExtendedMax()) - int64(r.baseSeq) + 1
	return expected - int64(r.received)
}

// Report builds the reception report block and resets the interval counters.
func (r *Receiver) Report() rtcp.ReceptionReport {
	expected := r.ExtendedMax() - r.baseSeq + 1
	expectedInterval := expected - r.expectedPrior
	receivedInterval := r.received - r.receivedPrior
	r.expectedPrior, r.receivedPrior = expected, r.received
	var fraction uint8
	if lostInterval := int64(expectedInterval) - int64(receivedInterval); expectedInterval > 0 && lostInterval > 0 {
		fraction = uint8(lostInterval << 8 / int64(expectedInterval))
	}
	lost := r.Lost()
	if lost < 0 {
		lost = 0
	}
	if lost > 0x7fffff {
		lost = 0x7fffff
	}
	return rtcp.ReceptionReport{
		SSRC:               r.SSRC,
		FractionLost:       fraction,
		TotalLost:          uint32(lost),
		LastSequenceNumber: r.ExtendedMax(),
		Jitter:             uint32(r.jitter),
	}
}
