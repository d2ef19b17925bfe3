package playback

import (
	"errors"
	"strings"
	"testing"
)

const chromeLike = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=recvonly\r\n" +
	"a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n" +
	"m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 106\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=recvonly\r\n" +
	"a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n" +
	"a=rtpmap:102 H264/90000\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f\r\n" +
	"a=rtpmap:103 H264/90000\r\na=fmtp:103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n" +
	"a=rtpmap:106 H264/90000\r\na=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"

// offerCases are shared with FuzzParseOffer: the body, and the error wanted (nil: parses).
var offerCases = []struct {
	name string
	body string
	err  error
}{
	{"browser", chromeLike, nil},
	{"not sdp", "hello", ErrBadOffer},
	{"empty", "", ErrBadOffer},
	{"no media", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", ErrBadOffer},
	{"only data", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n", ErrBadOffer},
	{"static pt", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0 8\r\n", nil},
}

func TestParseOffer(t *testing.T) {
	for _, tc := range offerCases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := ParseOffer([]byte(tc.body))
			if !errors.Is(err, tc.err) || (err == nil) != (o != nil) {
				t.Fatalf("got %v, %v; want %v", o, err, tc.err)
			}
		})
	}
	o, _ := ParseOffer([]byte(chromeLike))
	if got := Names(o.Video); got != "VP8, H264" {
		t.Fatalf("video names %q", got)
	}
	for _, tc := range []struct {
		name string
		sps  []byte
		want uint8
	}{
		{"unknown", nil, 106},
		{"baseline", []byte{0x67, 0x42, 0x00, 0x1e}, 103},
		{"constrained baseline", []byte{0x67, 0x42, 0xc0, 0x1e}, 106},
		{"constrained baseline as main", []byte{0x67, 0x4d, 0x80, 0x1f}, 106},
		{"high, not offered", []byte{0x67, 0x64, 0x00, 0x1f}, 106},
	} {
		if f, ok := Pick(o.Video, "H264", tc.sps); !ok || f.PayloadType != tc.want {
			t.Errorf("%s SPS: %+v %v, want PT %d", tc.name, f, ok, tc.want)
		}
	}
	if f, ok := Pick(o.Audio, "PCMU", nil); !ok || f.PayloadType != 0 || f.ClockRate != 8000 {
		t.Fatalf("static PCMU: %+v %v", f, ok)
	}
	if _, ok := Pick(o.Audio, "SPEEX", nil); ok {
		t.Fatal("Speex is not offered")
	}
	if f, ok := Pick(o.Audio, "OPUS", nil); !ok || f.ClockRate != 48000 || f.Channels != 2 || !strings.Contains(f.Fmtp, "useinbandfec") {
		t.Fatalf("opus %+v", f)
	}
	s, _ := ParseOffer([]byte(offerCases[5].body))
	if len(s.Audio) != 2 || s.Audio[1].Name != "PCMA" {
		t.Fatalf("static payload types %+v", s.Audio)
	}
}

func FuzzParseOffer(f *testing.F) {
	for _, tc := range offerCases {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := ParseOffer(body)
		if err != nil {
			if !errors.Is(err, ErrBadOffer) {
				t.Fatalf("error %v is not ErrBadOffer", err)
			}
			return
		}
		if !o.HasAudio && !o.HasVideo {
			t.Fatal("an offer without media parsed")
		}
		for _, list := range [][]Format{o.Audio, o.Video} {
			_, _ = Pick(list, "H264", []byte{0x67, 0x42, 0xc0, 0x1e})
			_ = Names(list)
		}
	})
}
