package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sipcast/sipcast/actors/notify"
	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// statusRank orders call statuses: a call's notifications never go back.
var statusRank = map[string]int{
	callapi.StatusPending: 0, callapi.StatusTrying: 1, callapi.StatusRing: 2, callapi.StatusSessionProgress: 3,
	callapi.StatusEstablished: 4, callapi.StatusFinish: 5,
}

// A call driven through SIPp and nginx-rtmp: its app gets every status and RTMP status change,
// in order, once each, at <app URL>/CallStatusEvent, authorised and signed; the event stream
// shows the same payloads in the same order; /metrics counts what happened.
func TestE2ENotifications(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	app := newAppReceiver(t, false)
	g := startGateway(t, "SIPCAST_CALLAPP_URL="+app.URL()+"/CallApp", "SIPCAST_CALLAPP_AUTHORIZATION=Bearer e2e",
		"SIPCAST_CALLAPP_SECRET=s3cret")
	events := g.subscribe(t, "n1")
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "n1", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port), "rtmpUrl": ngx.URL("live"), "rtmpStream": "n1"})); code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitFor("n1", 10*time.Second, "ESTABLISHED + RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return c.Status == callapi.StatusEstablished && str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	// Let media flow until /metrics counts it, then end the call.
	deadline := time.Now().Add(10 * time.Second)
	for {
		samples := g.metrics(t)
		video, _ := strconv.ParseFloat(samples[`sipcast_rtp_packets_total{kind="video"}`], 64)
		audio, _ := strconv.ParseFloat(samples[`sipcast_rtp_packets_total{kind="audio"}`], 64)
		if video >= 100 && audio >= 25 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics counts %v video and %v audio packets", video, audio)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, _ := g.post("/call/terminate", `{"callId":"n1"}`); code != http.StatusOK {
		t.Fatalf("terminate: %d", code)
	}
	got := app.waitFor(t, 10*time.Second, "FINISH", hasStatus("n1", callapi.StatusFinish))

	var seq []string
	lastRank, lastID := -1, int64(0)
	seenWait, seenActive := false, false
	for i, n := range got {
		c := n.call
		step := c.Status + "/" + str(c.RTMPStreamStatus)
		if c.SIPStatus != nil {
			step += "/" + strconv.Itoa(*c.SIPStatus)
		}
		seq = append(seq, step)
		if n.path != "/CallApp/"+notify.EventCallStatus || c.CallID != "n1" {
			t.Fatalf("notification %d: %s %s", i, n.path, c.CallID)
		}
		if n.header.Get("Authorization") != "Bearer e2e" || n.header.Get("Content-Type") != "application/json" ||
			!notify.Verify([]byte("s3cret"), n.header.Get(notify.HeaderSignature), n.body, time.Now(), time.Minute) {
			t.Fatalf("notification %d: headers %v", i, n.header)
		}
		id, _ := strconv.ParseInt(n.header.Get(notify.HeaderEventID), 10, 64)
		if id <= lastID {
			t.Fatalf("notification %d: event id %d after %d", i, id, lastID)
		}
		lastID = id
		if r := statusRank[c.Status]; r < lastRank {
			t.Fatalf("status went back: %v", seq)
		} else {
			lastRank = r
		}
		if i > 0 && step == seq[i-1] {
			t.Fatalf("the same change twice: %v", seq)
		}
		switch str(c.RTMPStreamStatus) {
		case callapi.RTMPStreamWait:
			if seenActive {
				t.Fatalf("WAIT after ACTIVE: %v", seq)
			}
			seenWait = true
		case callapi.RTMPStreamActive:
			seenActive = true
		}
	}
	t.Logf("notifications: %v", seq)
	joined := strings.Join(seq, " ")
	// SIPp sends 100, 180 and 200 back to back and sipgo hands each response to a goroutine of its
	// own: a provisional overtaken by the 200 is not a status the call had, so only the statuses
	// every call passes through are required here.
	for _, want := range []string{"PENDING/RTMP_STREAM_WAIT", "TRYING/RTMP_STREAM_WAIT", "ESTABLISHED/RTMP_STREAM_ACTIVE/200"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %s notification: %v", want, seq)
		}
	}
	if !seenWait || !strings.HasPrefix(seq[len(seq)-1], "FINISH/") {
		t.Errorf("sequence %v", seq)
	}

	// The event stream: the same payloads, in the same order.
	for i, n := range got {
		select {
		case ev := <-events:
			if ev.name != notify.EventCallStatus || !bytes.Equal(ev.data, n.body) || ev.id != n.header.Get(notify.HeaderEventID) {
				t.Fatalf("SSE event %d: %s %s %s\nwant %s", i, ev.id, ev.name, ev.data, n.body)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("SSE: %d events of %d", i, len(got))
		}
	}

	// The receiver records a request before answering it: the last delivery counts a moment later.
	samples := g.metrics(t)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); samples = g.metrics(t) {
		if v, _ := strconv.ParseFloat(samples["sipcast_notify_delivered_total"], 64); v >= float64(len(got)) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for name, atLeast := range map[string]float64{
		`sipcast_calls_ended_total{status="FINISH"}`: 1,
		`sipcast_notify_delivered_total`:             float64(len(got)),
		`sipcast_rtp_bytes_total{kind="video"}`:      10000,
		`sipcast_rtp_bytes_total{kind="audio"}`:      25 * 172,
	} {
		if v, _ := strconv.ParseFloat(samples[name], 64); v < atLeast {
			t.Errorf("%s = %q, want ≥ %v", name, samples[name], atLeast)
		}
	}
}

// metrics reads /metrics and checks it is valid Prometheus text.
func (g *gateway) metrics(t *testing.T) map[string]string {
	t.Helper()
	res, err := http.Get(g.rest + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(res.Body)
	res.Body.Close()
	samples, err := metrics.Parse(string(text))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %v\n%s", res.StatusCode, err, text)
	}
	return samples
}

// An app that never answers holds only the notifications of its own calls: a second call, whose
// app answers, is set up and notified as fast as without it.
func TestE2EHangingAppDoesNotSlowOtherCalls(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	sippA := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	sippB := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	slow, fast := newAppReceiver(t, true), newAppReceiver(t, false)
	dataDir := t.TempDir()
	runAdminCLI(t, dataDir, "", "set-app", "slowApp", slow.URL()+"/Slow")
	g := startGateway(t, "SIPCAST_DATA_DIR="+dataDir, "SIPCAST_CALLAPP_URL="+fast.URL()+"/CallApp",
		"SIPCAST_NOTIFY_TIMEOUT=60s", "SIPCAST_DRAIN_TIMEOUT=3s")

	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "a", "callee": "alice", "appKey": "slowApp",
		"sipDomain": "127.0.0.1", "sipPort": itoa(sippA.Port)})); code != http.StatusOK {
		t.Fatalf("startup a: %d %s", code, res)
	}
	g.waitStatus("a", callapi.StatusEstablished, 10*time.Second)
	slow.waitFor(t, 5*time.Second, "a hanging request", func(n []notification) bool { return len(n) >= 1 })

	started := time.Now()
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "b", "callee": "bob",
		"sipDomain": "127.0.0.1", "sipPort": itoa(sippB.Port)})); code != http.StatusOK {
		t.Fatalf("startup b: %d %s", code, res)
	}
	g.waitStatus("b", callapi.StatusEstablished, 5*time.Second)
	established := time.Since(started)
	got := fast.waitFor(t, 5*time.Second, "b ESTABLISHED", hasStatus("b", callapi.StatusEstablished))
	var notified time.Duration
	for _, n := range got {
		if n.call.Status == callapi.StatusEstablished {
			notified = n.at.Sub(started)
		}
	}
	t.Logf("while app slowApp hangs: call b ESTABLISHED seen after %v (50 ms polling), notified after %v", established, notified)
	if established > 3*time.Second || notified > 3*time.Second {
		t.Fatalf("call b was slowed: established after %v, notified after %v", established, notified)
	}
	if n := len(slow.received()); n != 1 {
		t.Fatalf("slowApp got %d requests; its first should still hang", n)
	}
	for _, n := range fast.received() {
		if n.call.CallID != "b" {
			t.Fatalf("call %s notified to the default app", n.call.CallID)
		}
	}
	for _, id := range []string{"a", "b"} {
		started := time.Now()
		if code, _ := g.post("/call/terminate", `{"callId":"`+id+`"}`); code != http.StatusOK {
			t.Fatalf("terminate %s: %d", id, code)
		}
		t.Logf("terminate %s took %v", id, time.Since(started))
	}
}

// SIGTERM drains: the call gets its BYE, its stream is unpublished, its FINISH is notified, and
// the process exits within the drain timeout.
func TestE2EDrainOnSIGTERM(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	app := newAppReceiver(t, false)
	g := startGateway(t, "SIPCAST_CALLAPP_URL="+app.URL()+"/CallApp", "SIPCAST_DRAIN_TIMEOUT=10s")
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "t1", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port), "rtmpUrl": ngx.URL("live"), "rtmpStream": "t1"})); code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitFor("t1", 10*time.Second, "RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	started := time.Now()
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.done:
	case <-time.After(15 * time.Second):
		t.Fatal("no exit within the drain timeout")
	}
	t.Logf("SIGTERM → exit in %v", time.Since(started))
	if code := g.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if err := sipp.Wait(5 * time.Second); err != nil || !strings.Contains(sipp.Messages(), "BYE sip:") {
		t.Fatalf("SIPp got no BYE: %v", err)
	}
	if !hasStatus("t1", callapi.StatusFinish)(app.received()) {
		t.Fatal("FINISH not notified before exit")
	}
	if _, err := peers.Probe(probeCtx(t, 10*time.Second), ngx.URL("live")+"/t1"); err == nil {
		t.Fatal("stream still published after the drain")
	}
}

// SIGINT stops at once: no drain, exit code 130.
func TestE2ESIGINTStopsAtOnce(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "i1", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port)})); code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	g.waitStatus("i1", callapi.StatusEstablished, 10*time.Second)
	started := time.Now()
	_ = g.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-g.done:
	case <-time.After(5 * time.Second):
		t.Fatal("SIGINT did not stop the process")
	}
	t.Logf("SIGINT → exit in %v", time.Since(started))
	if code := g.cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit code %d, want 130", code)
	}
	if strings.Contains(sipp.Messages(), "BYE sip:") {
		t.Fatal("SIGINT drained the call")
	}
}
