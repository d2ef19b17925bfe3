package e2e

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// RTMP output against nginx-rtmp: reconnection, RTMPS, URL forms, codecs, pushes.

// startCall places a call to a SIPp device publishing to rtmpUrl/stream and waits for status.
func startCall(t *testing.T, g *gateway, sipp *peers.SIPp, callID, rtmpURL, stream string, extra map[string]any) {
	t.Helper()
	body := map[string]any{"callId": callID, "callee": "alice", "sipDomain": "127.0.0.1", "sipPort": sipp.Port,
		"toStream": callID}
	if rtmpURL != "" {
		body["rtmpUrl"], body["rtmpStream"] = rtmpURL, stream
	}
	for k, v := range extra {
		body[k] = v
	}
	if code, res := g.post("/call/startup", startupBody(body)); code != http.StatusOK {
		t.Fatalf("startup %s: %d %s", callID, code, res)
	}
}

func (g *gateway) waitRTMP(callID, status string, within time.Duration) callapi.Call {
	return g.waitFor(callID, within, status, func(c callapi.Call) bool { return str(c.RTMPStreamStatus) == status })
}

// requireAV reads url back with ffprobe and wants H.264 video and audio of codec audio.
func requireAV(t *testing.T, url, audio string) {
	t.Helper()
	if !requireAVErr(t, url, audio) {
		t.FailNow()
	}
}

// requireAVErr is requireAV for any goroutine: it reports with t.Errorf and says whether the
// stream was right.
func requireAVErr(t *testing.T, url, audio string) bool {
	t.Helper()
	streams, err := peers.Probe(probeCtx(t, 20*time.Second), url)
	if err != nil {
		t.Errorf("ffprobe %s: %v", url, err)
		return false
	}
	var v, a string
	for _, s := range streams {
		switch s.Type {
		case "video":
			v = s.Codec
		case "audio":
			a = s.Codec
		}
	}
	if v != "h264" || a != audio {
		t.Errorf("%s: video %q audio %q, want h264 + %s", url, v, a, audio)
		return false
	}
	return true
}

// nginx dies and comes back on the same port: LOST, then ACTIVE again, and the stream reads;
// then it stays down: FAILED after the configured limit, while the SIP call stays up.
func TestE2ERTMPReconnect(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	port := peers.FreeTCPPort(t)
	ngx := peers.StartNginx(t, peers.WithRTMPPort(port))
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t, "SIPCAST_RTMP_RECONNECT_ATTEMPTS=4", "SIPCAST_RTMP_RECONNECT_BACKOFF=200ms",
		"SIPCAST_RTMP_RECONNECT_MAX_BACKOFF=400ms")
	startCall(t, g, sipp, "rc", ngx.URL("live"), "rc", nil)
	g.waitRTMP("rc", callapi.RTMPStreamActive, 10*time.Second)
	ngx.Stop()
	g.waitRTMP("rc", callapi.RTMPConnectionLost, 10*time.Second)
	ngx = peers.StartNginx(t, peers.WithRTMPPort(port))
	back := time.Now()
	g.waitRTMP("rc", callapi.RTMPStreamActive, 10*time.Second)
	t.Logf("RTMP server back → RTMP_STREAM_ACTIVE after %v (50 ms polling)", time.Since(back))
	requireAV(t, ngx.URL("live")+"/rc", "aac")

	ngx.Stop()
	g.waitRTMP("rc", callapi.RTMPConnectionLost, 10*time.Second)
	c := g.waitRTMP("rc", callapi.RTMPConnectionFailed, 15*time.Second)
	if c.Status != callapi.StatusEstablished || !strings.Contains(str(c.Reason), "gave up") {
		t.Fatalf("after giving up: %s", dump(c))
	}
	if code, _ := g.post("/call/terminate", `{"callId":"rc"}`); code != http.StatusOK {
		t.Fatalf("terminate: %d", code)
	}
}

// RTMPS through nginx's stream module: verified with the CA configured, refused without it (a
// self-signed certificate), accepted with verification explicitly off.
func TestE2ERTMPS(t *testing.T) {
	requirePeers(t)
	peers.RequireTools(t, peers.StreamModule)
	t.Parallel()
	cert, key := peers.SelfSignedCert(t)
	ngx := peers.StartNginx(t, peers.WithTLS(cert, key, 0))
	for _, tc := range []struct {
		name, env, want string
	}{
		{"ca", "SIPCAST_RTMP_TLS_CA=" + cert, callapi.RTMPStreamActive},
		{"verify", "", callapi.RTMPConnectionFailed},
		{"insecure", "SIPCAST_RTMP_TLS_INSECURE=true", callapi.RTMPStreamActive},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
			g := startGateway(t, tc.env)
			startCall(t, g, sipp, "tls-"+tc.name, ngx.TLSURL("live"), "tls-"+tc.name, nil)
			c := g.waitRTMP("tls-"+tc.name, tc.want, 10*time.Second)
			if tc.want == callapi.RTMPConnectionFailed {
				if !strings.Contains(str(c.Reason), "x509") {
					t.Fatalf("reason %q, want a certificate error", str(c.Reason))
				}
				return
			}
			requireAV(t, ngx.URL("live")+"/tls-"+tc.name, "aac")
		})
	}
}

// G.711 passthrough: the RTMP stream carries the device's µ-law as is.
func TestE2EG711Passthrough(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	startCall(t, g, sipp, "g711", ngx.URL("live"), "g711", map[string]any{"rtmpAudioCodec": "pcmu"})
	g.waitRTMP("g711", callapi.RTMPStreamActive, 10*time.Second)
	requireAV(t, ngx.URL("live")+"/g711", "pcm_mulaw")
}

// The spec's Wowza-style URL: the application carries an instance and a query string. nginx
// stands in for Wowza with an application named "live/_definst_" (nginx-rtmp drops the query
// from the app before matching). Its log shows what reached it — app, args and tcUrl, as Wowza
// expects them — and its stat page that the stream is published with media flowing. (ffmpeg
// cannot play it back: its RTMP client rewrites _definst_ URLs to the app "live".)
func TestE2EDefinstURL(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t, peers.WithApps("live", "live/_definst_"), peers.WithStat())
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	url := ngx.URL("live") + "/_definst_?param1=value1&param2=value2"
	startCall(t, g, sipp, "wz", url, "wz", nil)
	c := g.waitRTMP("wz", callapi.RTMPStreamActive, 10*time.Second)
	if str(c.RTMPURL) != url {
		t.Fatalf("rtmpUrl %q", str(c.RTMPURL))
	}
	log := ngx.ErrorLog()
	for _, want := range []string{"connect: app='live/_definst_' args='param1=value1&param2=value2'",
		"tc_url='" + url + "'", "publish: name='wz'"} {
		if !strings.Contains(log, want) {
			t.Fatalf("nginx log lacks %q:\n%s", want, log)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get(ngx.StatURL())
		if err != nil {
			t.Fatal(err)
		}
		var stat struct {
			Apps []struct {
				Name    string `xml:"name"`
				Streams []struct {
					Name    string `xml:"name"`
					BytesIn int64  `xml:"bytes_in"`
					Video   string `xml:"meta>video>codec"`
					Audio   string `xml:"meta>audio>codec"`
				} `xml:"live>stream"`
			} `xml:"server>application"`
		}
		err = xml.NewDecoder(res.Body).Decode(&stat)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, app := range stat.Apps {
			for _, st := range app.Streams {
				if app.Name == "live/_definst_" && st.Name == "wz" && st.BytesIn > 100_000 && st.Video == "H264" && st.Audio == "AAC" {
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("stat page never showed live/_definst_/wz with H264+AAC flowing: %+v", stat)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A call with two pushes besides its own target: three streams at once; one push terminated
// leaves the others; the same push twice is refused; the call's end ends every push.
func TestE2EPushes(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t, peers.WithApps("live", "alt"))
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	startCall(t, g, sipp, "p1", ngx.URL("live"), "own", nil)
	g.waitStatus("p1", callapi.StatusEstablished, 10*time.Second)
	var ids []string
	for _, app := range []string{"live", "alt"} {
		code, res := g.post("/push/startup", `{"streamName":"p1","rtmpUrl":"`+ngx.URL(app)+`","options":{}}`)
		var p callapi.Push
		if code != http.StatusOK || json.Unmarshal(res, &p) != nil || p.MediaSessionID == "" || p.StreamName != "p1" {
			t.Fatalf("push to %s: %d %s", app, code, res)
		}
		ids = append(ids, p.MediaSessionID)
	}
	if code, res := g.post("/push/startup", `{"streamName":"p1","rtmpUrl":"`+ngx.URL("alt")+`"}`); code != http.StatusConflict {
		t.Fatalf("same push twice: %d %s", code, res)
	}
	if code, _ := g.post("/push/startup", `{"streamName":"nosuch","rtmpUrl":"`+ngx.URL("alt")+`"}`); code != http.StatusNotFound {
		t.Fatalf("push of an unknown stream: %d", code)
	}
	if code, _ := g.post("/push/startup", `{"streamName":"p1","rtmpUrl":"ftp://x"}`); code != http.StatusBadRequest {
		t.Fatalf("push with a bad rtmpUrl: %d", code)
	}
	// Read back in parallel: the device's capture lasts 15 s, and every probe below should see
	// its real media rather than the gap filler's one picture a second (slow for ffprobe to size up).
	var wg sync.WaitGroup
	for _, url := range []string{ngx.URL("live") + "/own", ngx.URL("live") + "/rtmp_p1", ngx.URL("alt") + "/rtmp_p1"} {
		wg.Go(func() { requireAVErr(t, url, "aac") })
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	// Clients poll with the published name.
	code, res := g.post("/push/find", `{"streamName":"rtmp_p1","rtmpUrl":"`+ngx.URL("alt")+`"}`)
	var found []callapi.Push
	if code != http.StatusOK || json.Unmarshal(res, &found) != nil || len(found) != 1 || found[0].MediaSessionID != ids[1] ||
		found[0].RTMPStreamStatus != callapi.RTMPStreamActive || found[0].Width != 640 || found[0].Height != 360 {
		t.Fatalf("push/find: %d %s", code, res)
	}
	if code, _ := g.post("/push/mute", `{"mediaSessionId":"`+ids[0]+`"}`); code != http.StatusOK {
		t.Fatalf("mute: %d", code)
	}
	if code, _ := g.post("/push/terminate", `{"mediaSessionId":"`+ids[0]+`"}`); code != http.StatusOK {
		t.Fatalf("terminate push: %d", code)
	}
	// The other push goes on (checked first: the absence probe below waits out its timeout).
	requireAV(t, ngx.URL("alt")+"/rtmp_p1", "aac")
	if _, err := peers.Probe(probeCtx(t, 10*time.Second), ngx.URL("live")+"/rtmp_p1"); err == nil {
		t.Fatal("terminated push still published")
	}
	if code, res := g.post("/push/find_all", ``); code != http.StatusOK || strings.Count(string(res), "mediaSessionId") != 1 {
		t.Fatalf("find_all: %d %s", code, res)
	}
	if code, _ := g.post("/call/terminate", `{"callId":"p1"}`); code != http.StatusOK {
		t.Fatalf("terminate call: %d", code)
	}
	if code, _ := g.post("/push/find_all", ``); code != http.StatusNotFound {
		t.Fatalf("pushes outlived their call: %d", code)
	}
	if _, err := peers.Probe(probeCtx(t, 10*time.Second), ngx.URL("alt")+"/rtmp_p1"); err == nil {
		t.Fatal("push still published after its call ended")
	}
}

// Speex passthrough: a device sending Speex wideband reaches RTMP as Speex, untouched.
func TestE2ESpeexPassthrough(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_speex.xml")
	g := startGateway(t, "SIPCAST_RTMP_AUDIO=speex")
	startCall(t, g, sipp, "spx", ngx.URL("live"), "spx", nil)
	g.waitRTMP("spx", callapi.RTMPStreamActive, 10*time.Second)
	streams, err := peers.Probe(probeCtx(t, 20*time.Second), ngx.URL("live")+"/spx")
	if err != nil {
		t.Fatal(err)
	}
	if len(streams) != 1 || streams[0].Codec != "speex" || streams[0].SampleRate != 16000 {
		t.Fatalf("streams %+v, want one speex 16000 Hz", streams)
	}
}
