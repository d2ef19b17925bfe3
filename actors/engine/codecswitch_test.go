package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call/calltest"
	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// A codec change by re-INVITE is followed (issue 6 part 1): the callee moves a line to a codec
// that needs another transcoder, or none; the answer takes it, the transcoder children come and
// go, and the call stays ESTABLISHED. The media side of it runs against SIPp and nginx-rtmp in
// cmd/sipcast (TestE2ECodecSwitch).

// switchOffer is the callee's offer of one audio and one video format.
func switchOffer(audio, video string) []byte {
	return []byte("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 49170 RTP/AVP " + audio + "\r\na=sendrecv\r\n" +
		"m=video 49172 RTP/AVP " + video + "\r\na=sendrecv\r\n")
}

const (
	pcmu   = "0\r\na=rtpmap:0 PCMU/8000"
	pcma   = "8\r\na=rtpmap:8 PCMA/8000"
	opus   = "111\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1"
	speex  = "97\r\na=rtpmap:97 speex/16000"
	opus97 = "97\r\na=rtpmap:97 opus/48000/2"
	uwb    = "98\r\na=rtpmap:98 speex/32000" // ultra-wideband: nothing decodes it
	h264   = "112\r\na=rtpmap:112 H264/90000\r\na=fmtp:112 packetization-mode=1"
	vp8    = "100\r\na=rtpmap:100 VP8/90000"
	// interleaved H.264: no depacketiser here
	h264m2 = "114\r\na=rtpmap:114 H264/90000\r\na=fmtp:114 packetization-mode=2"
)

var codecSwitchSteps = []struct {
	name         string
	audio, video string
	code         int
	answer       []string // in the 200's SDP
	running      []string // transcoders alive after it
}{
	{"PCMU to Opus", opus, h264, 200, []string{"RTP/AVP 111", "opus/48000/2"}, []string{"transcode-audio"}},
	{"Opus to Speex", speex, h264, 200, []string{"RTP/AVP 97", "speex/16000"}, []string{"transcode-audio-2"}},
	// The same number bound to another codec is a change too.
	{"payload type 97 rebound from Speex to Opus", opus97, h264, 200, []string{"RTP/AVP 97", "opus/48000/2"}, []string{"transcode-audio-3"}},
	{"Opus to PCMA", pcma, h264, 200, []string{"RTP/AVP 8\r\n"}, nil},
	{"H.264 to VP8", pcma, vp8, 200, []string{"RTP/AVP 100", "VP8/90000"}, []string{"transcode-video-4"}},
	{"VP8 and PCMA to H.264 and Opus", opus, h264, 200, []string{"RTP/AVP 111", "RTP/AVP 112"}, []string{"transcode-audio-5"}},
	{"codecs nothing decodes are refused", uwb, h264m2, 488, nil, []string{"transcode-audio-5"}},
}

func TestCodecChangeByReinvite(t *testing.T) {
	eng, sig, _ := newDialogEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)}, nil)
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"cs1","callee":"a","sipDomain":"127.0.0.1"}`)); err != nil {
		t.Fatal(err)
	}
	s := session(t, eng, sig, "cs1")
	for _, step := range codecSwitchSteps {
		res := play(t, s, sipua.NewRequest("INVITE", switchOffer(step.audio, step.video),
			sipua.Header{Name: "Content-Type", Value: "application/sdp"}))
		if res.Code != step.code {
			t.Fatalf("%s: %d, want %d", step.name, res.Code, step.code)
		}
		for _, want := range step.answer {
			if !strings.Contains(strings.ToLower(string(res.Body)), strings.ToLower(want)) {
				t.Fatalf("%s: answer lacks %q:\n%s", step.name, want, res.Body)
			}
		}
		waitTranscoders(t, eng.System, step.name, step.running)
		waitStatus(t, eng, "cs1", callapi.StatusEstablished)
	}
}

// waitTranscoders waits until the transcoder actors alive are exactly want (by name suffix).
func waitTranscoders(t *testing.T, system *actor.ActorSystem, step string, want []string) {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got = transcoders(system)
		if sameNames(got, want) {
			return
		}
	}
	t.Fatalf("%s: transcoders %v, want %v", step, got, want)
}

// transcoders lists the last path element of every live transcoder actor.
func transcoders(system *actor.ActorSystem) []string {
	var out []string
	for _, bucket := range system.ProcessRegistry.LocalPIDs.LocalPIDs {
		for _, id := range bucket.Keys() {
			name := id[strings.LastIndex(id, "/")+1:]
			if strings.HasPrefix(name, "transcode-") {
				out = append(out, name)
			}
		}
	}
	return out
}

func sameNames(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if !strings.Contains(strings.Join(got, " ")+" ", w+" ") {
			return false
		}
	}
	return true
}
