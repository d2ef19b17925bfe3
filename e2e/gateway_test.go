package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/testutil"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// The end-to-end tests run sipcast as its own process, built once here, against real peers the
// tests start themselves: SIPp as the SIP device, nginx + the RTMP module as the RTMP server,
// ffprobe/ffmpeg reading the result back.

// sipcastBinary is ./cmd/sipcast built once per test run, with the race detector.
func sipcastBinary(t *testing.T) string {
	t.Helper()
	bin, err := testutil.Sipcast(true)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// gateway is a running sipcast process, stopped (SIGTERM) when the test ends.
type gateway struct {
	*testutil.Process
	t    *testing.T
	rest string
	cmd  *exec.Cmd
	done <-chan struct{}
}

// startGateway runs sipcast on loopback with free ports; env adds or overrides settings.
func startGateway(t *testing.T, env ...string) *gateway {
	t.Helper()
	rtpBase := peers.FreeUDPPorts(t, 8)
	dir := t.TempDir()
	p, err := testutil.Start(context.Background(), testutil.Options{
		Bin: sipcastBinary(t), LogPath: filepath.Join(dir, "sipcast.log"),
		RESTPort: peers.FreeTCPPort(t), SIPPort: peers.FreeUDPPort(t),
		Env: append([]string{
			// Its own WebRTC UDP port: production refuses to start when 8189 is taken.
			"SIPCAST_WEBRTC_UDP_PORT=" + strconv.Itoa(peers.FreeUDPPort(t)),
			// Its own SIP TLS port: parallel gateways would otherwise all try 5061.
			"SIPCAST_SIP_TLS_PORT=" + strconv.Itoa(peers.FreeTCPPort(t)),
			fmt.Sprintf("SIPCAST_RTP_PORTS=%d-%d", rtpBase, rtpBase+7),
			"SIPCAST_DATA_DIR=" + filepath.Join(dir, "data")}, env...),
	})
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{Process: p, t: t, rest: p.REST, cmd: p.Cmd, done: p.Done()}
	t.Cleanup(g.stop)
	return g
}

func (g *gateway) stop() {
	g.Stop()
	if g.t.Failed() {
		g.t.Logf("sipcast log:\n%s", g.logs())
	}
}

func (g *gateway) logs() string { return g.Logs() }

// post sends a JSON body and returns the status and body.
func (g *gateway) post(path, body string) (int, []byte) {
	g.t.Helper()
	res, err := http.Post(g.rest+"/rest-api"+path, "application/json", strings.NewReader(body))
	if err != nil {
		g.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (g *gateway) find(callID string) (int, []callapi.Call) {
	g.t.Helper()
	code, body := g.post("/call/find", fmt.Sprintf(`{"callId":%q}`, callID))
	var calls []callapi.Call
	if code == http.StatusOK {
		if err := json.Unmarshal(body, &calls); err != nil {
			g.t.Fatalf("find: %v: %s", err, body)
		}
	}
	return code, calls
}

// waitFor polls /call/find until cond holds for the call, and returns it.
func (g *gateway) waitFor(callID string, within time.Duration, what string, cond func(c callapi.Call) bool) callapi.Call {
	g.t.Helper()
	deadline := time.Now().Add(within)
	var last []callapi.Call
	for time.Now().Before(deadline) {
		var code int
		code, last = g.find(callID)
		if code == http.StatusOK && len(last) == 1 && cond(last[0]) {
			return last[0]
		}
		time.Sleep(50 * time.Millisecond)
	}
	g.t.Fatalf("call %s: %s not reached within %s; last %s", callID, what, within, dump(last))
	return callapi.Call{}
}

func (g *gateway) waitStatus(callID, status string, within time.Duration) callapi.Call {
	return g.waitFor(callID, within, "status "+status, func(c callapi.Call) bool { return c.Status == status })
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func startupBody(fields map[string]any) string {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(fields)
	return b.String()
}

func probeCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
