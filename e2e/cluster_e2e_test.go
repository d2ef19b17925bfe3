package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// clusterTTL is the nodes' lease in this test: short, so a dead node's keys free quickly.
const clusterTTL = 2 * time.Second

// startNode runs a sipcast node of the cluster on etcd; its REST URL (127.0.0.1:rest-port) is
// the node URL by default.
func startNode(t *testing.T, etcd *peers.Etcd, id string, env ...string) *gateway {
	t.Helper()
	return startGateway(t, append([]string{"SIPCAST_CLUSTER_ETCD=" + etcd.Endpoint(), "SIPCAST_NODE_ID=" + id,
		"SIPCAST_CLUSTER_TTL=" + clusterTTL.String(), "SIPCAST_ENDED_CALL_TTL=30s"}, env...)...)
}

func errMessage(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Message string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	return e.Message
}

// callNodes is find_all's answer as "callId@nodeId", sorted.
func callNodes(t *testing.T, g *gateway) []string {
	t.Helper()
	code, body := g.post("/call/find_all", "")
	if code != http.StatusOK {
		t.Fatalf("find_all: %d %s", code, body)
	}
	var calls []callapi.Call
	if err := json.Unmarshal(body, &calls); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range calls {
		out = append(out, c.CallID+"@"+str(c.NodeID))
	}
	sort.Strings(out)
	return out
}

// TestE2ECluster runs one etcd, three sipcast nodes, a SIPp device and nginx-rtmp, and proves
// the cluster's promises: uniqueness across nodes (the single node's 409 messages), one REST
// surface (find, find_all, terminate, send_dtmf, push through any node), placement past
// SIPCAST_MAX_CALLS, a node killed with -9 freeing its keys within its TTL without touching the
// others' calls, and etcd stopped and restarted: the node set to end its calls ends them, the
// one set to keep them keeps them, both refuse new calls (503) until etcd is back.
func TestE2ECluster(t *testing.T) {
	requirePeers(t)
	peers.RequireTools(t, peers.EtcdBinary)
	etcd := peers.StartEtcd(t)
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml", peers.WithCalls(20))
	a := startNode(t, etcd, "a", "SIPCAST_MAX_CALLS=1", "SIPCAST_CLUSTER_LOST_CALLS=end")
	b := startNode(t, etcd, "b")
	c := startNode(t, etcd, "c", "SIPCAST_CLUSTER_LOST_CALLS=keep")
	startup := func(g *gateway, callID, toStream, rtmpStream string, sipPort int) (int, []byte) {
		fields := map[string]any{"callId": callID, "callee": "alice", "sipDomain": "127.0.0.1", "sipPort": itoa(sipPort),
			"toStream": toStream, "hasAudio": "true", "hasVideo": "true"}
		if rtmpStream != "" {
			fields["rtmpUrl"], fields["rtmpStream"] = ngx.URL("live"), rtmpStream
		}
		return g.post("/call/startup", startupBody(fields))
	}
	mustStart := func(g *gateway, callID, toStream, rtmpStream string, sipPort int) callapi.Call {
		t.Helper()
		code, body := startup(g, callID, toStream, rtmpStream, sipPort)
		var calls []callapi.Call
		if code != http.StatusOK || json.Unmarshal(body, &calls) != nil || len(calls) != 1 {
			t.Fatalf("startup %s: %d %s", callID, code, body)
		}
		return calls[0]
	}
	live := func(c callapi.Call) bool {
		return c.Status == callapi.StatusEstablished && str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	}

	// A call on a, seen established through b: find by callId is forwarded to the owner.
	if got := mustStart(a, "c1", "st1", "s1", sipp.Port); str(got.NodeID) != "a" {
		t.Fatalf("c1 placed on %q, want a", str(got.NodeID))
	}
	if got := b.waitFor("c1", 15*time.Second, "ESTABLISHED + RTMP active, through b", live); str(got.NodeID) != "a" {
		t.Fatalf("c1 through b: nodeId %q", str(got.NodeID))
	}

	// Uniqueness across nodes, with the messages of a single node.
	for _, d := range []struct{ id, stream, rtmp, msg string }{
		{"c1", "x1", "", `callId "c1" is already in use`},
		{"x2", "st1", "", `toStream "st1" is already used by call "c1"`},
		{"x3", "x3", "s1", `is already used by call "c1"`},
	} {
		code, body := startup(b, d.id, d.stream, d.rtmp, sipp.Port)
		if code != http.StatusConflict || !strings.Contains(errMessage(t, body), d.msg) {
			t.Errorf("duplicate %s on b: %d %s, want 409 %q", d.id, code, body, d.msg)
		}
	}

	// a is full (SIPCAST_MAX_CALLS=1): its next startup is placed on b or c.
	c2 := mustStart(a, "c2", "st2", "s2", sipp.Port)
	if n := str(c2.NodeID); n != "b" && n != "c" {
		t.Fatalf("c2 placed on %q, want b or c", n)
	}
	a.waitFor("c2", 15*time.Second, "ESTABLISHED + RTMP active, through a", live)
	// One answer whichever node is asked.
	want := []string{"c1@a", "c2@" + str(c2.NodeID)}
	for _, g := range []*gateway{a, b, c} {
		if got := callNodes(t, g); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("find_all on %s = %v, want %v", g.rest, got, want)
		}
	}
	if code, body := b.post("/call/find", `{"streamName":"st1"}`); code != http.StatusOK || !strings.Contains(string(body), `"nodeId":"a"`) {
		t.Errorf("find by streamName through b: %d %s", code, body)
	}

	// DTMF and pushes through nodes that do not own the call.
	if code, body := c.post("/call/send_dtmf", `{"callId":"c1","dtmf":"5","type":"INFO"}`); code != http.StatusOK {
		t.Errorf("send_dtmf through c: %d %s", code, body)
	}
	code, body := c.post("/push/startup", `{"streamName":"st1","rtmpUrl":"`+ngx.URL("live")+`","options":{}}`)
	var push callapi.Push
	if code != http.StatusOK || json.Unmarshal(body, &push) != nil || push.CallID != "c1" {
		t.Fatalf("push/startup through c: %d %s", code, body)
	}
	if code, body := b.post("/push/startup", `{"streamName":"st1","rtmpUrl":"`+ngx.URL("live")+`","options":{}}`); code != http.StatusConflict {
		t.Errorf("duplicate push through b: %d %s", code, body)
	}
	if _, err := peers.Probe(probeCtx(t, 20*time.Second), ngx.URL("live")+"/"+push.PublishedName); err != nil {
		t.Errorf("pushed stream %s: %v", push.PublishedName, err)
	}
	if code, body := b.post("/push/mute", `{"mediaSessionId":"`+push.MediaSessionID+`"}`); code != http.StatusOK || !strings.Contains(string(body), `"muted":true`) {
		t.Errorf("push/mute through b: %d %s", code, body)
	}
	if code, body := b.post("/push/find", `{"streamName":"st1"}`); code != http.StatusOK || !strings.Contains(string(body), push.MediaSessionID) {
		t.Errorf("push/find through b: %d %s", code, body)
	}
	if code, body := a.post("/push/terminate", `{"mediaSessionId":"`+push.MediaSessionID+`"}`); code != http.StatusOK {
		t.Errorf("push/terminate on a: %d %s", code, body)
	}

	// Terminate through a node that does not own the call.
	if code, body := c.post("/call/terminate", `{"callId":"c2"}`); code != http.StatusOK {
		t.Fatalf("terminate c2 through c: %d %s", code, body)
	}
	if code, _ := b.find("c2"); code != http.StatusNotFound {
		t.Errorf("c2 still found after terminate: %d", code)
	}

	// kill -9 of b with a call: its keys are free within the TTL, a's call does not notice.
	mustStart(b, "c3", "st3", "s3", sipp.Port)
	b.waitFor("c3", 15*time.Second, "ESTABLISHED + RTMP active", live)
	b.Kill()
	killed := time.Now()
	dead := peers.FreeUDPPort(t) // nobody answers: the call only needs its keys
	for {
		code, body := startup(c, "c3", "st3", "s3", dead)
		if code == http.StatusOK {
			break
		}
		if code != http.StatusConflict || time.Since(killed) > clusterTTL+8*time.Second {
			t.Fatalf("c3's keys after kill -9 of b (%v ago): %d %s", time.Since(killed), code, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("kill -9 → keys free after %v (TTL %v)", time.Since(killed).Round(time.Millisecond), clusterTTL)
	if code, body := c.post("/call/terminate", `{"callId":"c3"}`); code != http.StatusOK {
		t.Fatalf("terminate c3 on c: %d %s", code, body)
	}
	if got := c.waitFor("c1", 5*time.Second, "still live on a", live); str(got.NodeID) != "a" {
		t.Fatalf("c1 after b died: %s", dump(got))
	}

	// etcd stopped for longer than the TTL: a (end) ends its call, c (keep) keeps its own; both
	// refuse new calls. Then etcd comes back: new calls start, c's call holds its keys again.
	mustStart(c, "c4", "st4", "s4", sipp.Port)
	c.waitFor("c4", 15*time.Second, "ESTABLISHED + RTMP active", live)
	etcd.Stop()
	a.waitFor("c1", clusterTTL+15*time.Second, "ended by the lost lease", func(c callapi.Call) bool { return callapi.Ended(c.Status) })
	for _, g := range []*gateway{a, c} {
		// Each node finds its lease lost on its own renewal schedule (within the TTL).
		var code int
		var body []byte
		deadline := time.Now().Add(clusterTTL + 10*time.Second)
		for {
			code, body = startup(g, "c5", "st5", "", dead)
			if (code == http.StatusServiceUnavailable && strings.Contains(errMessage(t, body), "lease")) || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if code != http.StatusServiceUnavailable || !strings.Contains(errMessage(t, body), "lease") {
			t.Errorf("startup on %s without etcd: %d %s, want 503 naming the lost lease", g.rest, code, body)
		}
	}
	c.waitFor("c4", time.Second, "kept while etcd is away", live)
	if err := etcd.Start(); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	for {
		code, body := startup(a, "c5", "st5", "", dead)
		if code == http.StatusOK {
			break
		}
		if time.Since(back) > 30*time.Second {
			t.Fatalf("no new call after etcd came back: %d %s", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	c.waitFor("c4", time.Second, "kept after etcd came back", live)
	// c claimed c4's keys again: a (not full once c5 is gone) cannot take its callId.
	waitLog(t, c, 15*time.Second, `"msg":"kept call claimed again"`, `"callId":"c4"`)
	if code, body := a.post("/call/terminate", `{"callId":"c5"}`); code != http.StatusOK {
		t.Fatalf("terminate c5: %d %s", code, body)
	}
	code, body = startup(a, "c4", "x6", "", dead)
	if code != http.StatusConflict || !strings.Contains(errMessage(t, body), `callId "c4" is already in use`) {
		t.Fatalf("c4 on a after etcd came back: %d %s, want 409", code, body)
	}
}
