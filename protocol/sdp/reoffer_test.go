package sdp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// reofferCases is shared by the AnswerOffer tests and the fuzz seed corpus: offers a callee
// makes inside the dialog, and what the answer must say.
var reofferCases = []struct {
	name     string
	offer    string
	hold     bool
	audioPT  int // -1: audio refused
	videoPT  int
	answerIn []string // lines the answer must hold
	err      error
}{
	{
		name: "hold with sendonly (SIPp, Linphone)",
		offer: crlf("v=0", "o=sipp 1 2 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
			"m=audio 6000 RTP/AVP 0 101", "a=rtpmap:101 telephone-event/8000", "a=sendonly",
			"m=video 6002 RTP/AVP 112", "a=rtpmap:112 H264/90000", "a=fmtp:112 packetization-mode=1;sprop-parameter-sets=Z0LAH9oBQBbo,aM48gA==", "a=sendonly"),
		hold: true, audioPT: 0, videoPT: 112,
		answerIn: []string{"m=audio 31000 RTP/AVP 0 101", "a=recvonly", "m=video 31002 RTP/AVP 112", "a=fmtp:112 packetization-mode=1\r\n",
			"a=rtpmap:101 telephone-event/8000", "o=sipcast 7 3 IN IP4 10.0.0.1"},
	},
	{
		name: "hold with 0.0.0.0 (RFC 2543)",
		offer: crlf("v=0", "o=old 1 2 IN IP4 0.0.0.0", "s=-", "c=IN IP4 0.0.0.0", "t=0 0",
			"m=audio 6000 RTP/AVP 8"),
		hold: true, audioPT: 8, videoPT: -1,
		answerIn: []string{"m=audio 31000 RTP/AVP 8", "a=recvonly"},
	},
	{
		name: "inactive",
		offer: crlf("v=0", "o=x 1 2 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
			"m=audio 6000 RTP/AVP 0", "a=inactive", "m=video 6002 RTP/AVP 112", "a=rtpmap:112 H264/90000", "a=inactive"),
		hold: true, audioPT: 0, videoPT: 112,
		answerIn: []string{"a=inactive"},
	},
	{
		name: "resume on new ports, PCMA preferred by the callee, current PT kept when offered",
		offer: crlf("v=0", "o=x 1 3 IN IP4 127.0.0.2", "s=-", "c=IN IP4 127.0.0.2", "t=0 0",
			"m=audio 7000 RTP/AVP 8 0", "a=sendrecv", "m=video 7002 RTP/AVP 96 112",
			"a=rtpmap:96 H264/90000", "a=fmtp:96 packetization-mode=1", "a=rtpmap:112 H264/90000", "a=fmtp:112 packetization-mode=1"),
		audioPT: 0, videoPT: 112,
		answerIn: []string{"m=audio 31000 RTP/AVP 0\r\n", "a=sendrecv", "m=video 31002 RTP/AVP 112\r\n", "a=recvonly"},
	},
	{
		name: "extra lines refused with port 0, in order",
		offer: crlf("v=0", "o=x 1 3 IN IP4 127.0.0.2", "s=-", "c=IN IP4 127.0.0.2", "t=0 0",
			"m=application 9 UDP/BFCP *", "m=audio 7000 RTP/AVP 18 0", "m=audio 7010 RTP/AVP 0", "m=video 7002 RTP/AVP 34"),
		audioPT: 0, videoPT: -1,
		answerIn: []string{"m=application 0 UDP/BFCP *", "m=audio 31000 RTP/AVP 0", "m=audio 0 RTP/AVP 0", "m=video 0 RTP/AVP 34"},
	},
	{
		name: "callee receives only: we send on audio, nothing on video",
		offer: crlf("v=0", "o=x 1 3 IN IP4 127.0.0.2", "s=-", "c=IN IP4 127.0.0.2", "t=0 0",
			"m=audio 7000 RTP/AVP 0", "a=recvonly", "m=video 7002 RTP/AVP 112", "a=rtpmap:112 H264/90000", "a=recvonly"),
		audioPT: 0, videoPT: 112,
		answerIn: []string{"a=sendonly", "a=inactive"},
	},
	{
		name:  "nothing acceptable",
		offer: crlf("v=0", "o=x 1 3 IN IP4 127.0.0.2", "s=-", "c=IN IP4 127.0.0.2", "t=0 0", "m=audio 7000 RTP/AVP 18"),
		err:   ErrNoMedia,
	},
	{name: "not SDP", offer: "hello", err: ErrMalformed},
}

func testLocal() Local {
	return Local{SessionID: 7, SessionVersion: 3, LocalIP: "10.0.0.1", AudioPort: 31000, VideoPort: 31002,
		AudioSend: true, VideoSend: false, AudioSSRC: 1, VideoSSRC: 2, CName: "sipcast/c1",
		Audio: []string{"PCMU", "PCMA"}, Video: []string{"H264"}, AudioCurrent: 0, VideoCurrent: 112}
}

func TestAnswerOffer(t *testing.T) {
	for _, tc := range reofferCases {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.offer)
			orig := bytes.Clone(in)
			ans, neg, err := AnswerOffer(in, testLocal())
			if !bytes.Equal(in, orig) {
				t.Fatal("offer mutated")
			}
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if neg.Hold != tc.hold {
				t.Errorf("hold %v, want %v", neg.Hold, tc.hold)
			}
			if got := firstPT(neg.Audio); got != tc.audioPT {
				t.Errorf("audio PT %d, want %d", got, tc.audioPT)
			}
			if got := firstPT(neg.Video); got != tc.videoPT {
				t.Errorf("video PT %d, want %d", got, tc.videoPT)
			}
			for _, want := range tc.answerIn {
				if !strings.Contains(string(ans), want) {
					t.Errorf("answer lacks %q:\n%s", want, ans)
				}
			}
			// The answer is itself a valid SDP for the peer: it parses, with our ports.
			back, err := ParseAnswer(ans)
			if err != nil {
				t.Fatalf("answer does not parse: %v\n%s", err, ans)
			}
			if back.Audio != nil && back.Audio.Port != 31000 {
				t.Errorf("answer audio port %d", back.Audio.Port)
			}
		})
	}
}

func firstPT(m *Media) int {
	if m == nil || len(m.Codecs) == 0 {
		return -1
	}
	return int(m.Codecs[0].PayloadType)
}

func BenchmarkAnswerOffer(b *testing.B) {
	offer := []byte(reofferCases[0].offer)
	l := testLocal()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := AnswerOffer(offer, l); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzAnswerOffer: no panic, input untouched, errors are sentinels, and every answer parses
// back with the gateway's ports and no more than one receiving codec per line.
func FuzzAnswerOffer(f *testing.F) {
	for _, tc := range reofferCases {
		f.Add([]byte(tc.offer))
	}
	l := testLocal()
	f.Fuzz(func(t *testing.T, b []byte) {
		orig := bytes.Clone(b)
		ans, neg, err := AnswerOffer(b, l)
		if !bytes.Equal(b, orig) {
			t.Fatal("input mutated")
		}
		if err != nil {
			for _, s := range []error{ErrMalformed, ErrNoMedia, ErrTooLarge, ErrTooManyCodecs, ErrInvalidOffer} {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error %v is no sentinel", err)
		}
		back, err := ParseAnswer(ans)
		if err != nil {
			t.Fatalf("answer does not parse: %v\n%s", err, ans)
		}
		for _, m := range []*Media{neg.Audio, neg.Video} {
			if m != nil {
				checkMedia(t, m)
			}
		}
		if (back.Audio != nil && back.Audio.Port != l.AudioPort) || (back.Video != nil && back.Video.Port != l.VideoPort) {
			t.Fatalf("answer ports changed:\n%s", ans)
		}
	})
}
