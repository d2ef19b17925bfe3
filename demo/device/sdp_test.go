package device

import (
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
)

const offerHead = "v=0\r\no=gw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"

func TestNegotiate(t *testing.T) {
	cases := []struct {
		name  string
		media string
		want  []answerLine // kind, accepted, pt, dir, dest port; proto and reject checked loosely
		err   error
	}{
		{
			name: "gateway offer: PCMU and H.264 mode 1 among others",
			media: "m=audio 4000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=recvonly\r\n" +
				"m=video 4002 RTP/AVP 96 97\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 profile-level-id=42e01f\r\n" +
				"a=rtpmap:97 H264/90000\r\na=fmtp:97 profile-level-id=42e01f; packetization-mode=1\r\na=recvonly\r\n",
			want: []answerLine{
				{kind: "audio", accepted: true, pt: 0, dir: dirSendOnly, dest: &net.UDPAddr{Port: 4000}},
				{kind: "video", accepted: true, pt: 97, dir: dirSendOnly, dest: &net.UDPAddr{Port: 4002}},
			},
		},
		{
			name:  "PCMU without rtpmap, sendrecv, media-level c=",
			media: "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 127.0.0.2\r\n",
			want:  []answerLine{{kind: "audio", accepted: true, pt: 0, dir: dirSendRecv, dest: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 4000}}},
		},
		{
			name:  "dynamic PCMU",
			media: "m=audio 4000 RTP/AVP 112\r\na=rtpmap:112 pcmu/8000/1\r\na=sendonly\r\n",
			want:  []answerLine{{kind: "audio", accepted: true, pt: 112, dir: dirRecvOnly, dest: &net.UDPAddr{Port: 4000}}},
		},
		{
			name: "mode 0 only video is rejected, audio kept",
			media: "m=audio 4000 RTP/AVP 0\r\n" +
				"m=video 4002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=0\r\n",
			want: []answerLine{
				{kind: "audio", accepted: true, pt: 0, dir: dirSendRecv, dest: &net.UDPAddr{Port: 4000}},
				{kind: "video"},
			},
		},
		{
			name: "SRTP, port 0, second audio and application are rejected",
			media: "m=audio 4000 RTP/SAVP 0\r\nm=audio 0 RTP/AVP 0\r\nm=audio 4004 RTP/AVP 0\r\n" +
				"m=audio 4006 RTP/AVP 0\r\nm=application 5000 UDP/BFCP *\r\n",
			want: []answerLine{
				{kind: "audio"}, {kind: "audio"},
				{kind: "audio", accepted: true, pt: 0, dir: dirSendRecv, dest: &net.UDPAddr{Port: 4004}},
				{kind: "audio"}, {kind: "application"},
			},
		},
		{name: "nothing acceptable", media: "m=audio 4000 RTP/AVP 8\r\n", err: ErrNoAcceptableMedia},
		{name: "no media", media: "", err: ErrNoAcceptableMedia},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := negotiate([]byte(offerHead + c.media))
			if !errors.Is(err, c.err) {
				t.Fatalf("err = %v, want %v", err, c.err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("%d lines, want %d", len(got), len(c.want))
			}
			for i, w := range c.want {
				g := got[i]
				if g.kind != w.kind || g.accepted != w.accepted || g.pt != w.pt || g.dir != w.dir {
					t.Errorf("line %d = %+v, want %+v", i, g, w)
				}
				if w.dest != nil {
					ip := w.dest.IP
					if ip == nil {
						ip = net.IPv4(127, 0, 0, 1)
					}
					if g.dest == nil || !g.dest.IP.Equal(ip) || g.dest.Port != w.dest.Port {
						t.Errorf("line %d dest = %v, want %v:%d", i, g.dest, ip, w.dest.Port)
					}
				}
			}
		})
	}
}

func TestNegotiateBadSDP(t *testing.T) {
	if _, err := negotiate([]byte("hello")); !errors.Is(err, ErrBadOffer) {
		t.Errorf("err = %v, want ErrBadOffer", err)
	}
}

func TestAnswerLineSends(t *testing.T) {
	dest := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000}
	cases := []struct {
		l    answerLine
		want bool
	}{
		{answerLine{accepted: true, dir: dirSendOnly, dest: dest}, true},
		{answerLine{accepted: true, dir: dirSendRecv, dest: dest}, true},
		{answerLine{accepted: true, dir: dirRecvOnly, dest: dest}, false},
		{answerLine{accepted: true, dir: dirInactive, dest: dest}, false},
		{answerLine{accepted: true, dir: dirSendOnly, dest: &net.UDPAddr{IP: net.IPv4zero, Port: 4000}}, false},
		{answerLine{accepted: true, dir: dirSendOnly}, false},
		{answerLine{dir: dirSendOnly, dest: dest}, false},
	}
	for i, c := range cases {
		if got := c.l.sends(); got != c.want {
			t.Errorf("case %d: sends() = %v", i, got)
		}
	}
}

func TestBuildAnswerParses(t *testing.T) {
	lines, err := negotiate([]byte(offerHead +
		"m=audio 4000 RTP/AVP 0\r\na=recvonly\r\nm=video 4002 RTP/AVPF 97\r\na=rtpmap:97 H264/90000\r\na=fmtp:97 packetization-mode=1\r\na=recvonly\r\n" +
		"m=text 4004 RTP/AVP 98\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	fmtp := "packetization-mode=1;profile-level-id=42c01e"
	ans := buildAnswer(lines, net.IPv4(127, 0, 0, 1), map[string]int{"audio": 5000, "video": 5002}, fmtp, 42)
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(ans); err != nil {
		t.Fatalf("answer does not parse: %v\n%s", err, ans)
	}
	if len(sd.MediaDescriptions) != 3 {
		t.Fatalf("%d m= lines", len(sd.MediaDescriptions))
	}
	a, v, x := sd.MediaDescriptions[0], sd.MediaDescriptions[1], sd.MediaDescriptions[2]
	if a.MediaName.Port.Value != 5000 || a.MediaName.Formats[0] != "0" {
		t.Errorf("audio %v", a.MediaName)
	}
	if _, ok := a.Attribute(dirSendOnly); !ok {
		t.Error("audio not sendonly")
	}
	if got, _ := v.Attribute("fmtp"); got != "97 "+fmtp || strings.Join(v.MediaName.Protos, "/") != "RTP/AVPF" {
		t.Errorf("video fmtp %q protos %v", got, v.MediaName.Protos)
	}
	if x.MediaName.Port.Value != 0 || x.MediaName.Formats[0] != "98" {
		t.Errorf("text not rejected: %v", x.MediaName)
	}
}
