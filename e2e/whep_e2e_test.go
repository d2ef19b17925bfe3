package e2e

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/whepclient"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// startWatchableCall runs a gateway with WebRTC on a free UDP port and a SIPp device answering
// scenario; the call publishes nowhere but its toStream.
func startWatchableCall(t *testing.T, scenario, callID, stream string, env ...string) *gateway {
	t.Helper()
	sipp := peers.StartSIPpUAS(t, scenario)
	return startWatchable(t, "alice", itoa(sipp.Port), callID, stream, []string{"video", "audio"}, env...)
}

// startWatchable starts a call to callee on sipPort and waits for the media of kinds.
func startWatchable(t *testing.T, callee, sipPort, callID, stream string, kinds []string, env ...string) *gateway {
	t.Helper()
	g := startGateway(t, append([]string{"SIPCAST_WEBRTC_UDP_PORT=" + strconv.Itoa(peers.FreeUDPPort(t))}, env...)...)
	code, res := g.post("/call/startup", startupBody(map[string]any{"callId": callID, "callee": callee,
		"sipDomain": "127.0.0.1", "sipPort": sipPort, "toStream": stream}))
	if code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitStatus(callID, callapi.StatusEstablished, 15*time.Second)
	for _, k := range kinds {
		waitLog(t, g, 15*time.Second, `"msg":"media flowing"`, `"kind":"`+k+`"`, callID)
	}
	return g
}

// waitPackets waits until the client's track of kind has at least n packets (and, for video, a
// key frame).
func waitPackets(t *testing.T, c *whepclient.Client, kind string, n uint64, within time.Duration) *whepclient.Track {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if tr := c.Track(kind); tr != nil && tr.Packets.Load() >= n && (kind == "audio" || tr.KeyFrames.Load() > 0) {
			return tr
		}
		time.Sleep(50 * time.Millisecond)
	}
	tr := c.Track(kind)
	if tr == nil {
		t.Fatalf("no %s track within %v (connection %s)", kind, within, c.State())
	}
	t.Fatalf("%s: %d packets, %d key frames within %v", kind, tr.Packets.Load(), tr.KeyFrames.Load(), within)
	return nil
}

// A WHEP client that is not a browser (pion) watches an H.264 + PCMU call: it gets the call's
// own codecs (no transcoding), a key frame, continuous sequence numbers; a second viewer joining
// later gets its key frame too; DELETE ends a session and a second DELETE is 404.
func TestE2EWHEPPion(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	g := startWatchableCall(t, "uas_h264_pcmu.xml", "w1", "watch1")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	c, err := whepclient.Dial(ctx, g.rest+"/whep/watch1", whepclient.Options{})
	if err != nil {
		t.Fatalf("WHEP: %v", err)
	}
	defer c.Close()
	if !strings.HasPrefix(c.Location, "/whep/watch1/") {
		t.Fatalf("Location %q", c.Location)
	}
	if !strings.Contains(c.Answer, "a=candidate:") || !strings.Contains(c.Answer, "127.0.0.1") {
		t.Fatalf("answer without a loopback candidate:\n%s", c.Answer)
	}
	if !strings.Contains(c.Answer, "packetization-mode=1") {
		t.Fatalf("answer without H.264 packetization-mode=1:\n%s", c.Answer)
	}
	video := waitPackets(t, c, "video", 100, 15*time.Second)
	audio := waitPackets(t, c, "audio", 50, 15*time.Second)
	if video.Codec != "video/H264" || audio.Codec != "audio/PCMU" {
		t.Fatalf("codecs: video %s, audio %s; want the call's H264 and PCMU", video.Codec, audio.Codec)
	}
	firstKey := time.Unix(0, video.FirstKey.Load()).Sub(c.Started)
	t.Logf("first key frame %v after the offer was made", firstKey)
	if gaps := video.SeqGaps.Load() + audio.SeqGaps.Load(); gaps > 5 {
		t.Errorf("%d sequence numbers skipped on loopback", gaps)
	}

	// A second viewer joins a running call and gets its own key frame.
	late, err := whepclient.Dial(ctx, g.rest+"/whep/watch1", whepclient.Options{Video: "H264", Audio: "PCMU"})
	if err != nil {
		t.Fatalf("second viewer: %v", err)
	}
	waitPackets(t, late, "video", 30, 15*time.Second)
	if m := g.metrics(t); m["sipcast_whep_viewers"] != "2" {
		t.Errorf("sipcast_whep_viewers %q, want 2", m["sipcast_whep_viewers"])
	}

	if code, err := late.Delete(ctx, g.rest); err != nil || code != http.StatusOK {
		t.Fatalf("DELETE: %d %v", code, err)
	}
	if code, err := late.Delete(ctx, g.rest); err != nil || code != http.StatusNotFound {
		t.Fatalf("second DELETE: %d %v, want 404", code, err)
	}
	before := video.Packets.Load()
	time.Sleep(time.Second)
	if video.Packets.Load() == before {
		t.Fatal("the first viewer stopped receiving when the second left")
	}

	// The call ends: so does the session.
	if code, _ := g.post("/call/terminate", `{"callId":"w1"}`); code != http.StatusOK {
		t.Fatalf("terminate: %d", code)
	}
	waitLog(t, g, 10*time.Second, `"msg":"viewer session closed"`, `"why":"stream ended"`)
	if code, _, body, _ := whepclient.Post(ctx, g.rest+"/whep/watch1", []byte(c.Answer), nil); code != http.StatusNotFound {
		t.Fatalf("offer for an ended stream: %d %s", code, body)
	}
}

// Bad WHEP requests get clear errors: not SDP, no media, codecs that match nothing (naming both
// sides), an unknown stream, an unknown session.
func TestE2EWHEPErrors(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	g := startWatchableCall(t, "uas_h264_pcmu.xml", "w2", "watch2")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	post := func(stream, body string) (int, string) {
		code, _, b, err := whepclient.Post(ctx, g.rest+"/whep/"+stream, []byte(body), nil)
		if err != nil {
			t.Fatal(err)
		}
		return code, string(b)
	}
	if code, body := post("watch2", "hello"); code != http.StatusBadRequest || !strings.Contains(body, "not SDP") {
		t.Errorf("non-SDP offer: %d %s", code, body)
	}
	noMedia := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	if code, body := post("watch2", noMedia); code != http.StatusBadRequest || !strings.Contains(body, "no audio or video") {
		t.Errorf("offer without media: %d %s", code, body)
	}
	_, err := whepclient.Dial(ctx, g.rest+"/whep/watch2", whepclient.Options{Audio: "OPUS", Video: "VP8"})
	var se *whepclient.StatusError
	if !errors.As(err, &se) || se.Code != http.StatusBadRequest || !strings.Contains(se.Body, "VP8") ||
		!strings.Contains(se.Body, "OPUS") || !strings.Contains(se.Body, "video H264") || !strings.Contains(se.Body, "audio PCMU") {
		t.Errorf("codec mismatch: %v", err)
	}
	_, err = whepclient.Dial(ctx, g.rest+"/whep/nosuchstream", whepclient.Options{})
	if !errors.As(err, &se) || se.Code != http.StatusNotFound {
		t.Errorf("unknown stream: %v", err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, g.rest+"/whep/watch2/0123456789abcdef", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("DELETE of an unknown session: %v %v", res, err)
	}
	// Audio only is fine when the call has it: the session plays what matches.
	c, err := whepclient.Dial(ctx, g.rest+"/whep/watch2", whepclient.Options{Audio: "PCMU", Video: "-"})
	if err != nil {
		t.Fatalf("audio-only viewer: %v", err)
	}
	defer c.Close()
	waitPackets(t, c, "audio", 50, 15*time.Second)
	// CORS preflight for a page on another origin.
	req, _ = http.NewRequestWithContext(ctx, http.MethodOptions, g.rest+"/whep/watch2", nil)
	req.Header.Set("Origin", "http://example.test")
	req.Header.Set("Access-Control-Request-Method", "POST")
	res, err = http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusNoContent || !strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "DELETE") ||
		res.Header.Get("Access-Control-Expose-Headers") != "Location" {
		t.Errorf("preflight: %v %v", res, err)
	}
}
