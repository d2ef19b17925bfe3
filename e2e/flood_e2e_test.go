package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/testutil"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// startGatewayNofile is startGateway with the process's open files limited (soft and hard, so
// sipcast cannot raise it) by prlimit, as a distribution's default or a container would; it
// returns the gateway and its SIP port (UDP and TCP).
func startGatewayNofile(t *testing.T, nofile int, env ...string) (*gateway, int) {
	t.Helper()
	dir := t.TempDir()
	// prlimit execs sipcast, so the process testutil runs and signals is sipcast itself.
	wrapper := filepath.Join(dir, "sipcast-limited")
	script := fmt.Sprintf("#!/bin/sh\nexec prlimit --nofile=%d:%d %s \"$@\"\n", nofile, nofile, sipcastBinary(t))
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	sipPort := peers.FreeTCPPort(t)
	p, err := testutil.Start(context.Background(), testutil.Options{
		Bin: wrapper, LogPath: filepath.Join(dir, "sipcast.log"),
		RESTPort: peers.FreeTCPPort(t), SIPPort: sipPort,
		Env: append([]string{"SIPCAST_SIP_TLS_PORT=" + strconv.Itoa(peers.FreeTCPPort(t)),
			"SIPCAST_DATA_DIR=" + filepath.Join(dir, "data")}, env...),
	})
	if err != nil {
		t.Fatal(err)
	}
	g := &gateway{Process: p, t: t, rest: p.REST, cmd: p.Cmd, done: p.Done()}
	t.Cleanup(g.stop)
	return g, sipPort
}

// restAnswers polls /healthz until it answers 200 or within passes.
func restAnswers(g *gateway, within time.Duration) bool {
	cl := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		select {
		case <-g.done:
			return false
		default:
		}
		if res, err := cl.Get(g.rest + "/healthz"); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return true
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// raiseOwnFileLimit lets the test hold more connections than the gateway may accept.
func raiseOwnFileLimit(t *testing.T, want uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Max < want {
		t.Skipf("open files hard limit %d < %d", lim.Max, want)
	}
	if lim.Cur < want {
		lim.Cur = want
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Fatal(err)
		}
	}
}

// flood opens n connections to addr, half of them sending the start of an HTTP or SIP request
// they never finish, and returns those the gateway let open.
func flood(addr string, n int, partial string) []net.Conn {
	var held []net.Conn
	for i := range n {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			continue
		}
		if i%2 == 0 {
			_, _ = io.WriteString(c, partial)
		}
		held = append(held, c)
	}
	return held
}

// TestE2EConnectionFlood plays issue 12's first attacker: with sipcast under a 256-file limit,
// ~1200 connections to the REST port and to SIP over TCP, held idle or half-sent. sipcast
// once exited ("accept4: too many open files"), dropping its calls without BYE. Now the
// listeners wait the flood out: the live call keeps its media (RTP in, RTMP out), REST answers
// again once the flood stops, SIP over TCP still takes requests, and the call ends with BYE.
func TestE2EConnectionFlood(t *testing.T) {
	requirePeers(t)
	peers.RequireTools(t, "prlimit")
	raiseOwnFileLimit(t, 4096)
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g, sipPort := startGatewayNofile(t, 256, rtpPorts(t, 1))
	g.placeCall("flood", sipp, map[string]any{"rtmpUrl": ngx.URL("live"), "rtmpStream": "flood", "hasVideo": "true"})
	g.waitFor("flood", 15*time.Second, "ESTABLISHED + RTMP_STREAM_ACTIVE", func(c callapi.Call) bool {
		return c.Status == callapi.StatusEstablished && str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	audio, rtmpBytes := `sipcast_rtp_packets_total{kind="audio"}`, "sipcast_rtmp_bytes_total"
	packets0, bytes0 := metricValue(t, g, audio), metricValue(t, g, rtmpBytes)

	start := time.Now()
	restAddr := strings.TrimPrefix(g.rest, "http://")
	sipAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sipPort))
	held := flood(restAddr, 600, "POST /rest-api/call/find HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n")
	held = append(held, flood(sipAddr, 600, "OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1\r\n")...)
	time.Sleep(max(0, 8*time.Second-time.Since(start)))
	select {
	case <-g.done:
		t.Fatalf("sipcast exited under the flood:\n%s", g.logs())
	default:
	}
	flooded := time.Since(start)
	for _, c := range held {
		_ = c.Close()
	}
	t.Logf("flood: %d connections held open by the client for %v", len(held), flooded.Round(time.Millisecond))

	if !restAnswers(g, 15*time.Second) {
		t.Fatalf("REST does not answer after the flood:\n%s", g.logs())
	}
	c := g.waitStatus("flood", callapi.StatusEstablished, 5*time.Second)
	if str(c.RTMPStreamStatus) != callapi.RTMPStreamActive {
		t.Fatalf("after the flood: %s", dump(c))
	}
	// SIPp sends 50 audio packets a second; most must have come through the flood.
	gotPackets := metricValue(t, g, audio) - packets0
	if want := 0.7 * 50 * flooded.Seconds(); gotPackets < want {
		t.Fatalf("%.0f audio packets during %v of flood, want at least %.0f", gotPackets, flooded, want)
	}
	if metricValue(t, g, rtmpBytes) <= bytes0 {
		t.Fatal("no RTMP bytes written during the flood")
	}
	restHits := metricValue(t, g, `sipcast_accept_errors_total{listener="rest"}`) +
		metricValue(t, g, `sipcast_connections_refused_total{listener="rest"}`)
	if restHits == 0 {
		t.Fatal("the REST flood neither hit the file limit nor a cap: the test did not flood")
	}
	t.Logf("audio packets during the flood: %.0f; REST accept errors + refused: %.0f", gotPackets, restHits)
	if !strings.Contains(g.logs(), "accept failed; backing off") {
		t.Error("no accept failure logged: the file limit was never reached")
	}

	// SIP over TCP takes requests again once the flood is gone. The server learns of each of the
	// flood's 600 closes as its reader sees the end of the stream: until then the per-source cap
	// may still count some, and a new connection is refused (reset). So: retried, 10 s at most.
	var line string
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for try := 1; ; try++ {
		// A new transaction each try: a retransmission would be answered on the earlier connection.
		opt := fmt.Sprintf("OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-flood%d\r\n"+
			"From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:gw@127.0.0.1>\r\nCall-ID: flood-options-%d\r\nCSeq: 1 OPTIONS\r\n"+
			"Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", try, try)
		line, err = sipOptionsOverTCP(sipAddr, opt)
		if (err == nil && strings.HasPrefix(line, "SIP/2.0 200")) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil || !strings.HasPrefix(line, "SIP/2.0 200") {
		t.Fatalf("OPTIONS over TCP after the flood: %q %v", line, err)
	}

	g.terminate("flood")
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
	if !strings.Contains(sipp.Messages(), "BYE sip:") {
		t.Fatal("the call did not end with BYE")
	}
}

// sipOptionsOverTCP sends one OPTIONS on a new TCP connection and returns the answer's first line.
func sipOptionsOverTCP(addr, options string) (string, error) {
	sc, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer sc.Close()
	_ = sc.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(sc, options); err != nil {
		return "", err
	}
	return bufio.NewReader(sc).ReadString('\n')
}
