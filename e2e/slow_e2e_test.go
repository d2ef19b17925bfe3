package e2e

import (
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// throttle is a TCP proxy in front of the RTMP server whose upstream rate can be changed: a
// slow server (or a slow link to it), made on purpose.
type throttle struct {
	ln   net.Listener
	rate atomic.Int64 // bytes per second towards the server; 0 = unlimited
	wg   sync.WaitGroup
}

func startThrottle(t *testing.T, upstream string) *throttle {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &throttle{ln: ln}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			// A small receive buffer, so the slowness reaches the publisher at once.
			_ = c.(*net.TCPConn).SetReadBuffer(64 << 10)
			p.wg.Add(2)
			go func() { defer p.wg.Done(); _, _ = io.Copy(c, up); c.Close() }()
			go func() { defer p.wg.Done(); p.copySlow(up, c); up.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return p
}

// copySlow copies in 1 KiB steps, sleeping to hold the configured rate.
func (p *throttle) copySlow(dst, src net.Conn) {
	buf := make([]byte, 1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			if r := p.rate.Load(); r > 0 {
				time.Sleep(time.Duration(n) * time.Second / time.Duration(r))
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *throttle) port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// rssKB reads a process's resident set size.
func rssKB(t *testing.T, pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	return 0
}

// A server that cannot keep up: the publisher's bounded queue fills, whole GOPs are dropped (and
// counted), memory stays bounded, and once the server keeps up again the stream plays cleanly.
func TestE2ESlowRTMPServer(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	proxy := startThrottle(t, "127.0.0.1:"+strconv.Itoa(ngx.Port))
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t)
	url := "rtmp://127.0.0.1:" + strconv.Itoa(proxy.port()) + "/live"
	startCall(t, g, sipp, "slow", url, "slow", nil)
	g.waitRTMP("slow", callapi.RTMPStreamActive, 10*time.Second)
	before := rssKB(t, g.cmd.Process.Pid)

	proxy.rate.Store(24 << 10) // 24 KiB/s against a ~55 KiB/s stream
	waitLog(t, g, 20*time.Second, `"msg":"frames dropped"`, `"callId":"slow"`)
	during := rssKB(t, g.cmd.Process.Pid)
	if n := metricValue(t, g, "sipcast_rtmp_dropped_frames_total"); n <= 0 {
		t.Fatalf("sipcast_rtmp_dropped_frames_total = %v after drops", n)
	}
	if grew := during - before; grew > 64<<10 {
		t.Fatalf("RSS grew by %d KiB while the server was slow", grew)
	}
	c := g.waitStatus("slow", callapi.StatusEstablished, time.Second)
	t.Logf("RSS %d KiB before, %d KiB while throttled; rtmpStreamStatus %s", before, during, str(c.RTMPStreamStatus))

	proxy.rate.Store(0)
	// The queue drains and the stream comes back on a keyframe (or on a new connection if the
	// slowness cost the old one); either way it must play cleanly from nginx.
	g.waitRTMP("slow", callapi.RTMPStreamActive, 15*time.Second)
	frames, stderr, err := peers.DecodeCheck(probeCtx(t, 30*time.Second), ngx.URL("live")+"/slow", 3)
	if err != nil || frames < 40 {
		t.Fatalf("after recovery: %d frames, %v\n%s", frames, err, stderr)
	}
}

// metricValue reads one unlabelled sample from the gateway's /metrics.
func metricValue(t *testing.T, g *gateway, name string) float64 {
	t.Helper()
	res, err := http.Get(g.rest + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == name {
			v, _ := strconv.ParseFloat(f[1], 64)
			return v
		}
	}
	t.Fatalf("no %s in /metrics:\n%s", name, b)
	return 0
}

// An RTMP server that takes nothing for longer than the publisher's 2 s lag limit but less than
// its 10 s write timeout (nginx stopped with SIGSTOP for ~10 s, its socket buffers full for ~5):
// frames are dropped while it is away, the connection stays, and once the server reads again
// the stream goes on at the next keyframe. Until 9475e49 the publisher then measured every
// keyframe against the last frame written before the pause and dropped it, for the rest of the
// call, while saying RTMP_STREAM_ACTIVE: this stream carried nothing again.
func TestE2ERTMPServerPauses(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu_loop.xml")
	g := startGateway(t)
	startCall(t, g, sipp, "paused", ngx.URL("live"), "paused", nil)
	g.waitRTMP("paused", callapi.RTMPStreamActive, 10*time.Second)
	time.Sleep(2 * time.Second)

	if err := syscall.Kill(ngx.PID(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			_ = syscall.Kill(ngx.PID(), syscall.SIGCONT)
		}
	}
	t.Cleanup(resume) // a failure below must not leave nginx stopped
	// The kernel's buffers take ~5 s of the stream first; 2 s after they are full the writer
	// lags too far and the publisher drops. It then waits for a keyframe; staying away 2.5 s more
	// makes every keyframe after the pause more than 2 s newer than the last frame written.
	waitLog(t, g, 15*time.Second, `"msg":"frames dropped"`, `"callId":"paused"`, `"why":"lag"`)
	time.Sleep(2500 * time.Millisecond)
	resume()

	// A second of pictures in three says the stream carries video again (before the fix: none);
	// how many depends on where the keyframes fall around the pause and SIPp's loop.
	frames, stderr, err := peers.DecodeCheck(probeCtx(t, 30*time.Second), ngx.URL("live")+"/paused", 3)
	if err != nil || frames < 25 {
		t.Fatalf("after the server paused: %d frames in 3 s, %v\n%s", frames, err, stderr)
	}
	c := g.waitRTMP("paused", callapi.RTMPStreamActive, time.Second)
	if n := metricValue(t, g, "sipcast_rtmp_reconnects_total"); n != 0 {
		t.Errorf("%v reconnects: the pause was to be ridden out on the same connection", n)
	}
	t.Logf("%d frames decoded after the pause; rtmpStreamStatus %s", frames, str(c.RTMPStreamStatus))
}
