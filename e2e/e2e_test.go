package e2e

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

func requirePeers(t *testing.T) {
	peers.RequireTools(t, "sipp", "nginx", "ffprobe", "ffmpeg")
}

// The whole path: SIPp answers with H.264 + PCMU and streams; sipcast publishes to nginx-rtmp;
// ffprobe reads H.264 640x360 + AAC back and ffmpeg decodes it; duplicates are refused; terminate
// sends BYE, unpublishes, and frees the keys.
func TestE2ECallToRTMP(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	body := startupBody(map[string]any{
		"callId": "c1", "callee": "alice", "sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port),
		"sipLogin": "gw", "rtmpUrl": ngx.URL("live"), "rtmpStream": "s1", "toStream": "stream1",
		"hasAudio": "true", "hasVideo": "true",
	})
	started := time.Now()
	code, res := g.post("/call/startup", body)
	if code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	var created []callapi.Call
	if err := json.Unmarshal(res, &created); err != nil || len(created) != 1 || created[0].CallID != "c1" {
		t.Fatalf("startup answer %s (%v)", res, err)
	}
	c := g.waitFor("c1", 10*time.Second, "ESTABLISHED + RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return c.Status == callapi.StatusEstablished && str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	t.Logf("startup → ESTABLISHED + RTMP_STREAM_ACTIVE observed after %v (50 ms polling)", time.Since(started))
	if c.SIPStatus == nil || *c.SIPStatus != 200 || str(c.RTMPStream) != "s1" || str(c.StreamName) != "stream1" {
		t.Fatalf("call object %s", dump(c))
	}

	// Duplicates: callId, toStream, and the same RTMP target spelled differently.
	for name, dup := range map[string]map[string]any{
		"callId":   {"callId": "c1", "callee": "bob", "sipDomain": "127.0.0.1", "toStream": "x1"},
		"toStream": {"callId": "c2", "callee": "bob", "sipDomain": "127.0.0.1", "toStream": "stream1"},
		"rtmp":     {"callId": "c3", "callee": "bob", "sipDomain": "127.0.0.1", "toStream": "x3", "rtmpUrl": strings.Replace(ngx.URL("live"), "rtmp://", "RTMP://", 1) + "/", "rtmpStream": "s1"},
	} {
		if code, res := g.post("/call/startup", startupBody(dup)); code != http.StatusConflict {
			t.Errorf("duplicate %s: %d %s", name, code, res)
		}
	}

	url := ngx.URL("live") + "/s1"
	streams, err := peers.Probe(probeCtx(t, 20*time.Second), url)
	if err != nil {
		t.Fatalf("ffprobe %s: %v", url, err)
	}
	var video, audio *peers.Stream
	for i := range streams {
		switch streams[i].Type {
		case "video":
			video = &streams[i]
		case "audio":
			audio = &streams[i]
		}
	}
	if video == nil || video.Codec != "h264" || video.Width != 640 || video.Height != 360 {
		t.Fatalf("video stream %+v", video)
	}
	if audio == nil || audio.Codec != "aac" || audio.SampleRate != 8000 || audio.Channels != 1 {
		t.Fatalf("audio stream %+v", audio)
	}
	frames, stderr, err := peers.DecodeCheck(probeCtx(t, 20*time.Second), url, 3)
	if err != nil || frames < 40 {
		t.Fatalf("decode: %d frames, err %v\n%s", frames, err, stderr)
	}
	if strings.Contains(stderr, "error") || strings.Contains(stderr, "non-existing PPS") {
		t.Errorf("decoder complained:\n%s", stderr)
	}

	if code, res := g.post("/call/terminate", `{"callId":"c1"}`); code != http.StatusOK {
		t.Fatalf("terminate: %d %s", code, res)
	}
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
	if !strings.Contains(sipp.Messages(), "BYE sip:") {
		t.Fatalf("SIPp saw no BYE:\n%s", sipp.Messages())
	}
	if code, _ := g.find("c1"); code != http.StatusNotFound {
		t.Fatalf("find after terminate: %d", code)
	}
	if _, err := peers.Probe(probeCtx(t, 10*time.Second), url); err == nil {
		t.Fatal("stream still published after terminate")
	}
	// The target is free again: a new call may publish there (nobody answers it; terminate ends it).
	again := startupBody(map[string]any{"callId": "c4", "callee": "alice", "sipDomain": "127.0.0.1",
		"sipPort": itoa(peers.FreeUDPPort(t)), "rtmpUrl": ngx.URL("live"), "rtmpStream": "s1", "toStream": "stream1"})
	if code, res := g.post("/call/startup", again); code != http.StatusOK {
		t.Fatalf("target not freed: %d %s", code, res)
	}
	if code, res := g.post("/call/terminate", `{"callId":"c4"}`); code != http.StatusOK {
		t.Fatalf("terminate c4: %d %s", code, res)
	}
}

// A call started as the original's browser demo starts it: strings everywhere, empty fields, no
// rtmpUrl. It is placed and its media flows into the server stream toStream.
func TestE2EToStreamOnly(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	body := `{"callId":"Ab1cD2e-Fg3hI4j-Kl5mN6o-Pq7rS8t","callee":"alice","toStream":"call_stream1",
	  "hasAudio":"true","hasVideo":"true","sipLogin":"gw","sipAuthenticationName":"","sipPassword":"",
	  "sipPort":"` + itoa(sipp.Port) + `","sipDomain":"127.0.0.1","sipOutboundProxy":"","appKey":"defaultApp",
	  "sipRegisterRequired":"false"}`
	code, res := g.post("/call/startup", body)
	if code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	var created []map[string]any
	if err := json.Unmarshal(res, &created); err != nil || created[0]["status"] == nil {
		t.Fatalf("response[0].status unreadable: %s", res)
	}
	c := g.waitStatus("Ab1cD2e-Fg3hI4j-Kl5mN6o-Pq7rS8t", callapi.StatusEstablished, 10*time.Second)
	if c.RTMPURL != nil || c.RTMPStreamStatus != nil || str(c.StreamName) != "call_stream1" {
		t.Fatalf("call object %s", dump(c))
	}
	waitLog(t, g, 10*time.Second, `"msg":"media flowing"`, `"kind":"video"`, "Ab1cD2e-Fg3hI4j-Kl5mN6o-Pq7rS8t")
	waitLog(t, g, 10*time.Second, `"msg":"media flowing"`, `"kind":"audio"`, "Ab1cD2e-Fg3hI4j-Kl5mN6o-Pq7rS8t")
	if code, _ := g.post("/call/terminate", `{"callId":"Ab1cD2e-Fg3hI4j-Kl5mN6o-Pq7rS8t"}`); code != http.StatusOK {
		t.Fatalf("terminate: %d", code)
	}
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// The callee hangs up: FINISH, visible to find for a while, and the RTMP stream ends.
func TestE2ECalleeHangsUp(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_hangup.xml")
	g := startGateway(t)
	code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "h1", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": sipp.Port, "rtmpUrl": ngx.URL("live"), "rtmpStream": "h1"}))
	if code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitFor("h1", 10*time.Second, "RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	c := g.waitStatus("h1", callapi.StatusFinish, 15*time.Second)
	if !strings.Contains(str(c.Reason), "BYE") {
		t.Errorf("reason %q", str(c.Reason))
	}
	if err := sipp.Wait(5 * time.Second); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
	if _, err := peers.Probe(probeCtx(t, 10*time.Second), ngx.URL("live")+"/h1"); err == nil {
		t.Fatal("stream still published after the callee hung up")
	}
}

// 486 → BUSY with sipStatus 486.
func TestE2EBusy(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	sipp := peers.StartSIPpUAS(t, "uas_busy.xml")
	g := startGateway(t)
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "b1", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": sipp.Port})); code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	c := g.waitStatus("b1", callapi.StatusBusy, 10*time.Second)
	if c.SIPStatus == nil || *c.SIPStatus != 486 {
		t.Fatalf("sipStatus %v", c.SIPStatus)
	}
	if err := sipp.Wait(5 * time.Second); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
}

// Nobody answers: RING, then FAILED once the INVITE timeout passes, with a CANCEL sent.
func TestE2ENoAnswer(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	sipp := peers.StartSIPpUAS(t, "uas_noanswer.xml")
	g := startGateway(t, "SIPCAST_INVITE_TIMEOUT=3s")
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "n1", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": sipp.Port})); code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitStatus("n1", callapi.StatusRing, 5*time.Second)
	c := g.waitStatus("n1", callapi.StatusFailed, 10*time.Second)
	if !strings.Contains(str(c.Reason), "no answer") {
		t.Errorf("reason %q", str(c.Reason))
	}
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
	if !strings.Contains(sipp.Messages(), "CANCEL sip:") {
		t.Fatalf("SIPp saw no CANCEL:\n%s", sipp.Messages())
	}
}

// An RTMP server without the application: RTMP_CONNECTION_FAILED, and the call stays up.
func TestE2ERTMPAppRefused(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "r1", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": sipp.Port, "rtmpUrl": ngx.URL("nosuchapp"), "rtmpStream": "r1"})); code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	c := g.waitFor("r1", 10*time.Second, "RTMP_CONNECTION_FAILED", func(c callapi.Call) bool {
		return str(c.RTMPStreamStatus) == callapi.RTMPConnectionFailed
	})
	if c.Status != callapi.StatusEstablished && c.Status != callapi.StatusRing && c.Status != callapi.StatusTrying {
		t.Fatalf("the call should go on without RTMP: %s", dump(c))
	}
	g.waitStatus("r1", callapi.StatusEstablished, 10*time.Second)
	if code, _ := g.post("/call/terminate", `{"callId":"r1"}`); code != http.StatusOK {
		t.Fatalf("terminate: %d", code)
	}
}

// Bad input gets 400 and the spec's error JSON from the real process.
func TestE2EBadInput(t *testing.T) {
	t.Parallel()
	g := startGateway(t)
	for name, body := range map[string]string{
		"malformed JSON": `{"callee":`,
		"missing callee": `{"sipDomain":"127.0.0.1"}`,
		"bad rtmpUrl":    `{"callee":"a","sipDomain":"127.0.0.1","rtmpUrl":"http://x/live","rtmpStream":"s"}`,
		"bad login":      `{"callee":"a","sipDomain":"127.0.0.1","sipLogin":"Ralf C12441@host.com"}`,
	} {
		code, res := g.post("/call/startup", body)
		var e struct {
			Error, Message, Path string
			Status               int
			Timestamp            int64
		}
		if code != http.StatusBadRequest || json.Unmarshal(res, &e) != nil || e.Status != 400 ||
			e.Path != "/rest-api/call/startup" || e.Message == "" || e.Timestamp == 0 || e.Error != "Bad Request" {
			t.Errorf("%s: %d %s", name, code, res)
		}
		if name == "bad login" && e.Message != callapi.MsgReservedSymbols {
			t.Errorf("bad login message %q", e.Message)
		}
	}
	if code, _ := g.post("/call/find", `{"callId":"nope"}`); code != http.StatusNotFound {
		t.Errorf("find unknown: %d", code)
	}
	if code, _ := g.post("/call/find_all", ``); code != http.StatusNotFound {
		t.Errorf("find_all with no calls: %d", code)
	}
	if code, _ := g.post("/call/terminate", `{"callId":"nope"}`); code != http.StatusNotFound {
		t.Errorf("terminate unknown: %d", code)
	}
}

// waitLog waits until one line of the gateway's log holds every part.
func waitLog(t *testing.T, g *gateway, within time.Duration, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(g.logs(), "\n") {
			ok := true
			for _, p := range parts {
				if !strings.Contains(line, p) {
					ok = false
					break
				}
			}
			if ok {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no log line with %q", parts)
}

func itoa(n int) string { return strconv.Itoa(n) }

// The RTMP server dies mid-call: RTMP_CONNECTION_LOST, and the SIP call goes on.
func TestE2ERTMPConnectionLost(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "l1", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": sipp.Port, "rtmpUrl": ngx.URL("live"), "rtmpStream": "l1"})); code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitFor("l1", 10*time.Second, "RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	ngx.Stop()
	c := g.waitFor("l1", 10*time.Second, "RTMP_CONNECTION_LOST", func(c callapi.Call) bool {
		return str(c.RTMPStreamStatus) == callapi.RTMPConnectionLost
	})
	if c.Status != callapi.StatusEstablished {
		t.Fatalf("the SIP call should stay up: %s", dump(c))
	}
	if code, _ := g.post("/call/terminate", `{"callId":"l1"}`); code != http.StatusOK {
		t.Fatalf("terminate: %d", code)
	}
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}
