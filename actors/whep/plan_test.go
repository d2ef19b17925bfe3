package whep

import (
	"errors"
	"testing"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/actors/viewer"
	"github.com/sipcast/sipcast/protocol/playback"
)

// A browser's offer: Opus and G.711 audio; VP8 and H.264 (Baseline and Constrained Baseline in
// both packetization modes, High in mode 1) video.
const browserOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=recvonly\r\n" +
	"a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n" +
	"m=video 9 UDP/TLS/RTP/SAVPF 96 102 103 106 112\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=recvonly\r\n" +
	"a=rtpmap:96 VP8/90000\r\n" +
	"a=rtpmap:102 H264/90000\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f\r\n" +
	"a=rtpmap:103 H264/90000\r\na=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n" +
	"a=rtpmap:106 H264/90000\r\na=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n" +
	"a=rtpmap:112 H264/90000\r\na=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=64001f\r\n"

// The answer's formats: H.264 always in mode 1, in the profile of the stream's SPS when the hub
// knows one (from the SDP or in band), constrained baseline when not; a Speex call's audio as
// the Opus the hub makes of it.
func TestPlanFor(t *testing.T) {
	o, err := playback.ParseOffer([]byte(browserOffer))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		audio, video *rtp.Source
		wantA, wantV int // payload types, -1: no line
		err          error
	}{
		{"H.264 without SPS, PCMU", &rtp.Source{Codec: "PCMU", ClockRate: 8000}, &rtp.Source{Video: true, Codec: "H264"}, 0, 106, nil},
		{"H.264 High from its SPS", nil, &rtp.Source{Video: true, Codec: "H264", SPS: []byte{0x67, 0x64, 0, 0x1f}}, -1, 112, nil},
		{"H.264 Baseline from its SPS", nil, &rtp.Source{Video: true, Codec: "H264", SPS: []byte{0x67, 0x42, 0x00, 0x1e}}, -1, 103, nil},
		{"H.264 Constrained Baseline from its SPS", nil, &rtp.Source{Video: true, Codec: "H264", SPS: []byte{0x67, 0x42, 0xc0, 0x1e}}, -1, 106, nil},
		{"Speex, described as Opus", &rtp.Source{Codec: "OPUS", ClockRate: 48000, Channels: 2}, nil, 111, -1, nil},
		{"nothing in common", nil, &rtp.Source{Video: true, Codec: "VP9"}, -1, -1, playback.ErrCodecMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := planFor(o, &viewer.Description{Audio: tc.audio, Video: tc.video})
			if !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			for _, c := range []struct {
				got  *choice
				want int
			}{{p.audio, tc.wantA}, {p.video, tc.wantV}} {
				switch {
				case c.got == nil && c.want != -1:
					t.Fatalf("no line, want PT %d", c.want)
				case c.got != nil && int(c.got.format.PayloadType) != c.want:
					t.Fatalf("PT %d (%s %s), want %d", c.got.format.PayloadType, c.got.format.Name, c.got.format.Fmtp, c.want)
				}
			}
		})
	}
}
