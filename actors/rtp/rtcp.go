package rtp

import (
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/pion/rtcp"

	"github.com/sipcast/sipcast/media/clock"
)

func (a *Actor) lastReport() time.Time { return a.lastRR }

// receiverReport is our RR: empty until the device's first packet names its SSRC.
func (a *Actor) receiverReport() *rtcp.ReceiverReport {
	rr := &rtcp.ReceiverReport{SSRC: a.ssrc}
	if a.stats != nil && a.stats.Started() {
		rep := a.stats.Report()
		a.meter.Report(int64(rep.TotalLost), float64(rep.Jitter), a.conf.ClockRate)
		rr.Reports = []rtcp.ReceptionReport{rep}
	}
	return rr
}

// sendReport sends a compound SR or RR + SDES packet, as RFC 3550 §6.1 requires of every RTCP
// packet: SR when the actor sent RTP (silence, black frames, digits) since its last report.
func (a *Actor) sendReport() {
	a.lastRR = a.cfg.Now()
	if sr := a.senderReport(); sr != nil {
		a.writeRTCP(sr)
		return
	}
	a.writeRTCP(a.receiverReport())
}

// senderReport is our SR (RFC 3550 §6.4.1), nil when we sent nothing since the last report:
// the device learns our NTP↔RTP mapping and what we sent, and still gets our reception report.
func (a *Actor) senderReport() *rtcp.SenderReport {
	c := a.dtmf
	if c == nil || c.packets == c.reported {
		return nil
	}
	c.reported = c.packets
	rate := c.rate
	if rate == 0 && a.conf != nil {
		rate = a.conf.ClockRate
	}
	now := a.cfg.Now()
	return &rtcp.SenderReport{SSRC: a.ssrc, NTPTime: clock.ToNTP(now), RTPTime: c.base + rtpTicks(now.Sub(c.epoch), rate),
		PacketCount: c.packets, OctetCount: c.octets, Reports: a.receiverReport().Reports}
}

// rtpTicks is d on a clock of rate Hz, in whole seconds and the rest, so days do not overflow.
func rtpTicks(d time.Duration, rate uint32) uint32 {
	secs, rest := uint64(d/time.Second), uint64(d%time.Second)
	return uint32(secs*uint64(rate) + rest*uint64(rate)/uint64(time.Second))
}

func (a *Actor) writeRTCP(pkts ...rtcp.Packet) {
	sdes := &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: a.ssrc,
		Items:  []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: "sipcast/" + a.cfg.CallID}},
	}}}
	buf, err := rtcp.Marshal(append(pkts, sdes))
	if err != nil {
		a.log.Warn("rtcp marshal", "err", err)
		return
	}
	// A failed send is not fatal: the next report or keyframe request tries again.
	if _, err := a.cfg.Pair.RTCP.WriteToUDP(buf, a.conf.RemoteRTCP); err != nil {
		a.log.Debug("rtcp send", "err", err)
	}
}

func randomSSRC() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}
