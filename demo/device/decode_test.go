package device

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/leak"

	"github.com/sipcast/sipcast/internal/testutil"
)

// freePair finds an even/odd port pair for ffmpeg (RTP, RTCP) and releases
// it; on loopback nobody takes it in the moment before ffmpeg binds it.
func freePair(t *testing.T) int {
	t.Helper()
	p, err := listenPair(net.IPv4(127, 0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	port := p.port()
	p.close()
	return port
}

// udpBound reports whether some socket is bound to UDP port (IPv4 or IPv6), from the kernel's
// tables: binding the port ourselves to find out could steal it from the program awaited.
func udpBound(port int) bool {
	want := fmt.Sprintf(":%04X ", port)
	for _, f := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for line := range strings.Lines(string(b)) {
			if fields := strings.Fields(line); len(fields) > 1 && strings.HasSuffix(fields[1]+" ", want) {
				return true
			}
		}
	}
	return false
}

// TestFFmpegDecodesTheStreams checks the payloads, not just the headers:
// ffmpeg, told what the SDP answer says, decodes both streams cleanly.
func TestFFmpegDecodesTheStreams(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed")
	}
	leak.CheckGoroutines(t, goroutineSettle)
	d := startDevice(t, Config{})
	u := newUAC(t)
	ap, vp := freePair(t), freePair(t)
	c, err := loadCapture()
	if err != nil {
		t.Fatal(err)
	}
	sdpFile := filepath.Join(t.TempDir(), "in.sdp")
	desc := fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"+
		"m=video %d RTP/AVP 97\r\na=rtpmap:97 H264/90000\r\na=fmtp:97 %s\r\n", ap, vp, c.fmtp)
	if err := os.WriteFile(sdpFile, []byte(desc), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-nostdin",
		"-protocol_whitelist", "file,udp,rtp", "-i", sdpFile,
		"-map", "0:v", "-map", "0:a", "-t", "2", "-f", "framecrc", "-")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The device streams from its first packet on: ffmpeg must hold both ports first, or on a
	// loaded machine it misses the capture's first key frame and decodes a GOP less.
	testutil.WaitFor(t, 10*time.Second, "ffmpeg bound its RTP ports", func() bool { return udpBound(ap) && udpBound(vp) })

	sess, _, err := u.invite(ctx, d.URI(), offer(ap, vp))
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	werr := cmd.Wait()
	_ = sess.Bye(ctx)
	if werr != nil {
		t.Fatalf("ffmpeg: %v\n%s", werr, errOut.String())
	}
	frames := map[string]int{}
	for line := range strings.Lines(out.String()) {
		if f := strings.Split(line, ","); len(f) > 1 && !strings.HasPrefix(line, "#") {
			frames[strings.TrimSpace(f[0])]++
		}
	}
	if frames["0"] < 40 || frames["1"] < 40 {
		t.Errorf("decoded %d video and %d audio frames in 2 s", frames["0"], frames["1"])
	}
	if s := strings.TrimSpace(errOut.String()); s != "" {
		t.Errorf("ffmpeg complained:\n%s", s)
	}
}

func TestConcurrentCalls(t *testing.T) {
	leak.CheckGoroutines(t, goroutineSettle)
	d := startDevice(t, Config{})
	u := newUAC(t)
	const calls = 10
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type leg struct {
		audio, video *rtpSink
	}
	legs := make([]leg, calls)
	errs := make(chan error, calls)
	for i := range legs {
		legs[i] = leg{newSink(t), newSink(t)}
		go func() {
			sess, _, err := u.invite(ctx, d.URI(), offer(legs[i].audio.port(), legs[i].video.port()))
			if err != nil {
				errs <- err
				return
			}
			defer sess.Close()
			if err := sess.Ack(ctx); err != nil {
				errs <- err
				return
			}
			time.Sleep(time.Second)
			errs <- sess.Bye(ctx)
		}()
	}
	for range calls {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	testutil.WaitFor(t, 2*time.Second, "calls to end", func() bool { return d.Calls() == 0 })
	ssrcs := map[uint32]bool{}
	for i, l := range legs {
		a, v := l.audio.received(), l.video.received()
		if len(a) < 30 || len(v) < 20 {
			t.Errorf("call %d got %d audio, %d video packets", i, len(a), len(v))
			continue
		}
		ssrcs[a[0].hdr.SSRC], ssrcs[v[0].hdr.SSRC] = true, true
	}
	if len(ssrcs) != 2*calls {
		t.Errorf("%d distinct SSRCs over %d streams", len(ssrcs), 2*calls)
	}
}
