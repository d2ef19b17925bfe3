package rtp

import (
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/pion/rtcp"
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

// sendReport sends a compound RR + SDES packet, as RFC 3550 §6.1 requires of every RTCP packet.
func (a *Actor) sendReport() {
	a.lastRR = a.cfg.Now()
	a.writeRTCP(a.receiverReport())
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
