package call

import (
	"testing"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// peerOf, one answer at a time: what the RTP actor is told about the device.
func TestPeerOf(t *testing.T) {
	pcmu := sdp.Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000, Channels: 1}
	opus := sdp.Codec{PayloadType: 111, Name: "OPUS", ClockRate: 48000, Channels: 2}
	te := sdp.Codec{PayloadType: 101, Name: "TELEPHONE-EVENT", ClockRate: 8000, Channels: 1}
	speexNB := sdp.Codec{PayloadType: 97, Name: "speex", ClockRate: 8000, Channels: 1}
	speexWB := sdp.Codec{PayloadType: 98, Name: "speex", ClockRate: 16000, Channels: 1}
	speexUWB := sdp.Codec{PayloadType: 99, Name: "speex", ClockRate: 32000, Channels: 1}
	h264 := sdp.Codec{PayloadType: 112, Name: "H264", ClockRate: 90000}
	vp8 := sdp.Codec{PayloadType: 96, Name: "VP8", ClockRate: 90000}
	vp9 := sdp.Codec{PayloadType: 98, Name: "VP9", ClockRate: 90000}
	line := func(dir, ip string, codecs ...sdp.Codec) *sdp.Media {
		return &sdp.Media{IP: ip, Port: 4000, RTCPIP: ip, RTCPPort: 4001, Direction: dir, Codecs: codecs}
	}
	for _, tc := range []struct {
		name              string
		m                 *sdp.Media
		kind              rtp.Kind
		send              bool
		receives, silence bool
		silenceCodec      string
		dtmfPT            int
		noAddr            bool
	}{
		{"sendrecv PCMU with events", line(sdp.DirSendRecv, "10.0.0.2", pcmu, te), rtp.Audio, true, true, true, "PCMU", 101, false},
		{"hasAudio false: no silence", line(sdp.DirSendRecv, "10.0.0.2", pcmu), rtp.Audio, false, true, false, "", -1, false},
		{"device holds (sendonly): it sends, we do not", line(sdp.DirSendOnly, "10.0.0.2", pcmu), rtp.Audio, true, true, false, "", -1, false},
		{"inactive: nothing either way", line(sdp.DirInactive, "10.0.0.2", pcmu), rtp.Audio, true, false, false, "", -1, false},
		{"recvonly device: silence, no timeout", line(sdp.DirRecvOnly, "10.0.0.2", pcmu), rtp.Audio, true, false, true, "PCMU", -1, false},
		{"Opus silence", line(sdp.DirSendRecv, "10.0.0.2", opus), rtp.Audio, true, true, true, "OPUS", -1, false},
		{"Speex narrowband silence", line(sdp.DirSendRecv, "10.0.0.2", speexNB, pcmu), rtp.Audio, true, true, true, "SPEEX", -1, false},
		{"Speex wideband silence", line(sdp.DirSendRecv, "10.0.0.2", speexWB), rtp.Audio, true, true, true, "SPEEX/16000", -1, false},
		{"Speex ultra-wideband: none", line(sdp.DirSendRecv, "10.0.0.2", speexUWB), rtp.Audio, true, true, false, "SPEEX/32000", -1, false},
		{"RFC 2543 hold address", line(sdp.DirSendRecv, "0.0.0.0", pcmu), rtp.Audio, true, true, false, "", -1, true},
		{"video: black H.264", line(sdp.DirSendRecv, "10.0.0.2", h264), rtp.Video, true, true, true, "H264", -1, false},
		{"video: black VP8", line(sdp.DirSendRecv, "10.0.0.2", vp9, vp8, h264), rtp.Video, true, true, true, "VP8", -1, false},
		{"hasVideo false: no black frames", line(sdp.DirSendRecv, "10.0.0.2", h264), rtp.Video, false, true, false, "", -1, false},
		{"video device holds (sendonly): no black frames", line(sdp.DirSendOnly, "10.0.0.2", h264), rtp.Video, true, true, false, "", -1, false},
		{"recvonly video device: black frames, no timeout", line(sdp.DirRecvOnly, "10.0.0.2", h264), rtp.Video, true, false, true, "H264", -1, false},
		{"video in a codec without a picture", line(sdp.DirSendRecv, "10.0.0.2", vp9), rtp.Video, true, true, false, "", -1, false},
		{"telephone-event on video: no digits", line(sdp.DirSendRecv, "10.0.0.2", h264, te), rtp.Video, true, true, true, "H264", -1, false},
		{"no line", nil, rtp.Audio, true, false, false, "", -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := peerOf(tc.m, tc.kind, tc.send)
			if p.Receives != tc.receives || p.Silence != tc.silence || p.SilenceCodec != tc.silenceCodec ||
				p.TelephoneEvent != tc.dtmfPT || (p.RTP == nil) != tc.noAddr {
				t.Fatalf("%+v", p)
			}
			if !tc.noAddr && (p.RTP.Port != 4000 || p.RTCP.Port != 4001) {
				t.Fatalf("addresses %v %v", p.RTP, p.RTCP)
			}
		})
	}
}
