package call

import (
	"net"
	"strconv"
	"strings"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// peerOf is what an RTP actor must know of the device's side of its line, from the SDP: where it
// is, whether it sends (so its silence counts), whether we send it silence (a line we declared
// sendrecv that it listens on: silence on audio, a black keyframe every 500 ms on video), and how
// it sends digits. send is whether our side of the line sends. Timeouts and latching are the
// caller's to fill.
func peerOf(m *sdp.Media, kind rtp.Kind, send bool) *rtp.Peer {
	p := &rtp.Peer{TelephoneEvent: -1}
	if m == nil {
		return p
	}
	if ip := net.ParseIP(m.IP); ip != nil && !ip.IsUnspecified() {
		p.RTP = &net.UDPAddr{IP: ip, Port: m.Port}
	}
	if ip := net.ParseIP(m.RTCPIP); ip != nil && !ip.IsUnspecified() {
		p.RTCP = &net.UDPAddr{IP: ip, Port: m.RTCPPort}
	}
	p.Receives = m.ReceivesFromPeer()
	// Silence in the first codec of the answer sipcast can make it in: G.711, Opus or Speex at
	// 8 or 16 kHz; on video, H.264 or VP8, the codecs the RTP actor receives.
	listens := m.Direction == sdp.DirSendRecv || m.Direction == sdp.DirRecvOnly
	names := []string{sdp.NamePCMU, sdp.NamePCMA, sdp.NameOpus, sdp.NameSpeex}
	if kind == rtp.Video {
		names = []string{sdp.NameH264, sdp.NameVP8}
	}
	if c, ok := m.First(names...); ok && send && listens && p.RTP != nil {
		p.Silence, p.SilenceCodec, p.SilencePT = true, strings.ToUpper(c.Name), c.PayloadType
		if p.SilenceCodec == sdp.NameSpeex && c.ClockRate != 8000 {
			// Wideband has its own frame; ultra-wideband none (sipcast does not receive it).
			p.SilenceCodec += "/" + strconv.Itoa(int(c.ClockRate))
			p.Silence = c.ClockRate == 16000
		}
	}
	if kind != rtp.Audio {
		return p
	}
	rate := uint32(8000)
	if c, ok := m.First(sdp.NamePCMU, sdp.NamePCMA, sdp.NameSpeex); ok {
		rate = c.ClockRate
	}
	if te, ok := m.TelephoneEvent(rate); ok {
		p.TelephoneEvent = int(te.PayloadType)
	}
	return p
}
