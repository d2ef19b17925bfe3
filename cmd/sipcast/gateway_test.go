package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// The end-to-end tests run sipcast as its own process, built once here, against real peers the
// tests start themselves: SIPp as the SIP device, nginx + the RTMP module as the RTMP server,
// ffprobe/ffmpeg reading the result back.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func sipcastBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sipcast-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "sipcast")
		out, err := exec.Command("go", "build", "-race", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// gateway is a running sipcast process.
type gateway struct {
	t       *testing.T
	cmd     *exec.Cmd
	rest    string
	logPath string
	done    chan struct{}
}

// startGateway runs sipcast on loopback with free ports; env adds or overrides settings.
func startGateway(t *testing.T, env ...string) *gateway {
	t.Helper()
	bin := sipcastBinary(t)
	restPort := peers.FreeTCPPort(t)
	rtpBase := peers.FreeUDPPorts(t, 8)
	dir := t.TempDir()
	g := &gateway{t: t, rest: "http://127.0.0.1:" + strconv.Itoa(restPort), logPath: filepath.Join(dir, "sipcast.log"),
		done: make(chan struct{})}
	logFile, err := os.Create(g.logPath)
	if err != nil {
		t.Fatal(err)
	}
	g.cmd = exec.Command(bin)
	g.cmd.Env = append(os.Environ(),
		"SIPCAST_PROFILE=dev", "SIPCAST_SIP_IP=127.0.0.1",
		"SIPCAST_REST_PORT="+strconv.Itoa(restPort),
		"SIPCAST_SIP_PORT="+strconv.Itoa(peers.FreeUDPPort(t)),
		// Its own SIP TLS port: parallel gateways would otherwise all try 5061.
		"SIPCAST_SIP_TLS_PORT="+strconv.Itoa(peers.FreeTCPPort(t)),
		fmt.Sprintf("SIPCAST_RTP_PORTS=%d-%d", rtpBase, rtpBase+7),
		"SIPCAST_RTMP_SERVER=off", "SIPCAST_DEMO_DEVICE=off", "SIPCAST_LOG_FORMAT=json",
		"SIPCAST_DATA_DIR="+filepath.Join(dir, "data"))
	g.cmd.Env = append(g.cmd.Env, env...)
	g.cmd.Stdout, g.cmd.Stderr = logFile, logFile
	g.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := g.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = g.cmd.Wait(); logFile.Close(); close(g.done) }()
	t.Cleanup(g.stop)
	deadline := time.Now().Add(15 * time.Second)
	for {
		if res, err := http.Post(g.rest+"/rest-api/call/find_all", "application/json", nil); err == nil {
			res.Body.Close()
			return g
		}
		select {
		case <-g.done:
			t.Fatalf("sipcast exited at start:\n%s", g.logs())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("sipcast REST did not come up:\n%s", g.logs())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (g *gateway) stop() {
	select {
	case <-g.done:
		return
	default:
	}
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.done:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-g.cmd.Process.Pid, syscall.SIGKILL)
		<-g.done
	}
	if g.t.Failed() {
		g.t.Logf("sipcast log:\n%s", g.logs())
	}
}

func (g *gateway) logs() string {
	b, _ := os.ReadFile(g.logPath)
	return string(b)
}

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
