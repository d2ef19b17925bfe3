package call

import (
	"strings"
	"testing"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// deviceSDP is a callee's SDP of one audio and one video line, in direction dir.
func deviceSDP(version, audio, video, dir string) []byte {
	return []byte("v=0\r\no=- 1 " + version + " IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 49170 RTP/AVP " + audio + "\r\na=" + dir + "\r\n" +
		"m=video 49172 RTP/AVP " + video + "\r\na=" + dir + "\r\n")
}

const (
	pcmuFmt  = "0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000"
	pcmaFmt  = "8\r\na=rtpmap:8 PCMA/8000"
	speexFmt = "97\r\na=rtpmap:97 speex/16000"
	opus97   = "97\r\na=rtpmap:97 opus/48000/2"
	uwbFmt   = "98\r\na=rtpmap:98 speex/32000"
	h264Fmt  = "112\r\na=rtpmap:112 H264/90000\r\na=fmtp:112 packetization-mode=1"
	vp8Fmt   = "100\r\na=rtpmap:100 VP8/90000"
)

var audioAll, videoAll = []string{"PCMU", "PCMA", "OPUS", "SPEEX"}, []string{"H264", "VP8"}

// answeredDialog is the SDP side of a call whose INVITE offered the default codecs and whose
// callee answered with answer.
func answeredDialog(t *testing.T, answer []byte) *sdpDialog {
	t.Helper()
	o := sdp.Offer{Origin: "sipcast", SessionID: 42, SessionVersion: 1, LocalIP: "127.0.0.1", AudioPort: 20000,
		VideoPort: 20002, AudioSendRecv: true, VideoSendRecv: true, AudioSSRC: 1, VideoSSRC: 2, CName: "sipcast/t",
		TelephoneEvent: true}
	body, err := o.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ans, err := sdp.ParseAnswer(answer)
	if err != nil {
		t.Fatal(err)
	}
	d := &sdpDialog{}
	d.offered(o, body)
	d.answered(ans, t0)
	return d
}

// Each request of the callee in an established call (answered PCMU + H.264): the answer it gets,
// the o= version, and which line moves to which codec.
func TestAnswerTargetRefresh(t *testing.T) {
	first := deviceSDP("1", pcmuFmt, h264Fmt, "sendrecv")
	for _, tc := range []struct {
		name    string
		method  string
		body    []byte
		headers []sipua.Header
		code    int
		version string   // our o= version in the answer; "" for no body
		has     []string // in our SDP
		offer   bool     // the body is our offer (no negotiation)
		hold    bool
		audio   string // codec the audio line moves to; "" for none
		video   string
	}{
		{name: "the answered codecs again: kept, version up from our offer", method: "INVITE", body: deviceSDP("2", pcmuFmt, h264Fmt, "sendrecv"),
			code: 200, version: "2", has: []string{"RTP/AVP 0 101", "a=sendrecv"}},
		{name: "hold (sendonly): recvonly answer, version up", method: "INVITE", body: deviceSDP("2", pcmuFmt, h264Fmt, "sendonly"),
			code: 200, version: "2", has: []string{"a=recvonly"}, hold: true},
		{name: "audio to PCMA", method: "UPDATE", body: deviceSDP("2", pcmaFmt, h264Fmt, "sendrecv"),
			code: 200, version: "2", has: []string{"RTP/AVP 8"}, audio: "PCMA/8000"},
		{name: "audio to wideband Speex, video to VP8", method: "INVITE", body: deviceSDP("2", speexFmt, vp8Fmt, "sendrecv"),
			code: 200, version: "2", has: []string{"SPEEX/16000", "VP8/90000"}, audio: "SPEEX/16000", video: "VP8/90000"},
		{name: "codecs nothing receives: 488", method: "INVITE", body: deviceSDP("2", uwbFmt, "114\r\na=rtpmap:114 H265/90000", "sendrecv"),
			code: 488},
		{name: "re-INVITE without SDP: our SDP is the offer", method: "INVITE", code: 200, version: "1", offer: true,
			has: []string{"RTP/AVP"}},
		{name: "UPDATE without SDP: no body", method: "UPDATE", code: 200},
		{name: "Session-Expires below Min-SE: 422 before the SDP", method: "UPDATE", body: deviceSDP("2", pcmaFmt, h264Fmt, "sendrecv"),
			headers: []sipua.Header{{Name: "Session-Expires", Value: "30"}}, code: 422},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := answeredDialog(t, first)
			ourOffer := string(d.local)
			st := testSessionTimer()
			res, neg, err := answerTargetRefresh(&st, d, sipua.NewRequest(tc.method, tc.body, tc.headers...), audioAll, videoAll)
			if res.Code != tc.code || (err != nil) != (tc.code == 488) {
				t.Fatalf("%d %v", res.Code, err)
			}
			if tc.version == "" {
				if len(res.Body) != 0 || neg != nil {
					t.Fatalf("body %q", res.Body)
				}
				if d.version != 1 || string(d.local) != ourOffer {
					t.Fatal("a request without an answer changed our SDP")
				}
				return
			}
			body := string(res.Body)
			if !strings.Contains(body, "o=sipcast 42 "+tc.version+" IN IP4") {
				t.Fatalf("version %s wanted:\n%s", tc.version, body)
			}
			for _, s := range tc.has {
				if !strings.Contains(body, s) {
					t.Fatalf("no %q in\n%s", s, body)
				}
			}
			if tc.offer {
				if body != ourOffer || neg != nil {
					t.Fatal("the offerless re-INVITE did not get our SDP as it was")
				}
				return
			}
			if string(d.local) != body {
				t.Fatal("our last SDP is not the answer sent")
			}
			if neg.Hold != tc.hold {
				t.Fatalf("hold %v", neg.Hold)
			}
			for _, line := range []struct {
				kind  rtp.Kind
				m     *sdp.Media
				names []string
				want  string
			}{{rtp.Audio, neg.Audio, audioAll, tc.audio}, {rtp.Video, neg.Video, videoAll, tc.video}} {
				_, key, changed := d.change(line.kind, line.m, line.names)
				if changed != (line.want != "") || (changed && key != line.want) {
					t.Fatalf("%s: changed %v to %q, want %q", line.kind, changed, key, line.want)
				}
			}
		})
	}
}

// A payload type rebound to another codec is a change; once followed, the same is not.
func TestSDPDialogChange(t *testing.T) {
	d := answeredDialog(t, deviceSDP("1", speexFmt, h264Fmt, "sendrecv"))
	if d.audioPT != 97 || d.audioCodec != "SPEEX/16000" || d.videoPT != 112 || d.videoCodec != "H264/90000" || !d.zero.Equal(t0) {
		t.Fatalf("%+v", d)
	}
	_, neg, err := d.answer(deviceSDP("2", opus97, h264Fmt, "sendrecv"), audioAll, videoAll)
	if err != nil {
		t.Fatal(err)
	}
	pt, key, ok := d.change(rtp.Audio, neg.Audio, audioAll)
	if !ok || pt != 97 || key != "OPUS/48000" {
		t.Fatalf("rebound 97: %d %q %v", pt, key, ok)
	}
	d.follow(rtp.Audio, pt, key)
	if _, _, ok := d.change(rtp.Audio, neg.Audio, audioAll); ok {
		t.Fatal("a followed codec is a change again")
	}
	if _, _, ok := d.change(rtp.Video, neg.Video, videoAll); ok {
		t.Fatal("video unchanged, yet a change")
	}
	if _, _, ok := d.change(rtp.Audio, nil, audioAll); ok {
		t.Fatal("a refused line is a change")
	}
	if _, _, ok := d.change(rtp.Audio, neg.Audio, []string{"PCMU"}); ok {
		t.Fatal("a codec the call cannot take now is a change")
	}
}

// Two identical re-offers: the version goes up once (RFC 3264 §8).
func TestSDPDialogVersion(t *testing.T) {
	d := answeredDialog(t, deviceSDP("1", pcmuFmt, h264Fmt, "sendrecv"))
	for i, want := range []uint64{2, 2, 3} {
		dir := "sendonly"
		if i == 2 {
			dir = "sendrecv"
		}
		if _, _, err := d.answer(deviceSDP("9", pcmuFmt, h264Fmt, dir), audioAll, videoAll); err != nil {
			t.Fatal(err)
		}
		if d.version != want {
			t.Fatalf("step %d: version %d, want %d", i, d.version, want)
		}
	}
}

// The callee's answer to an offer of ours in the dialog: hold when no line asks us to send.
func TestDialogAnswer(t *testing.T) {
	for _, tc := range []struct {
		name string
		body []byte
		hold bool
		err  bool
	}{
		{"sendrecv", deviceSDP("3", pcmuFmt, h264Fmt, "sendrecv"), false, false},
		{"sendonly both", deviceSDP("3", pcmuFmt, h264Fmt, "sendonly"), true, false},
		{"inactive both", deviceSDP("3", pcmuFmt, h264Fmt, "inactive"), true, false},
		{"garbage", []byte("hello"), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			neg, err := dialogAnswer(tc.body)
			if (err != nil) != tc.err {
				t.Fatal(err)
			}
			if err == nil && (neg.Hold != tc.hold || neg.Audio == nil || neg.Video == nil) {
				t.Fatalf("%+v", neg)
			}
		})
	}
}
