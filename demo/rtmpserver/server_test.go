package rtmpserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/leak"

	"github.com/sipcast/sipcast/internal/testutil"
)

// publishFFmpeg starts ffmpeg publishing test video and audio for secs seconds
// in real time; the returned wait reports how it ended.
func publishFFmpeg(t *testing.T, url string, secs int) (wait func() (string, error)) {
	t.Helper()
	cmd := exec.Command("ffmpeg", "-v", "error", "-nostdin", "-re",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine",
		"-t", fmt.Sprint(secs),
		"-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-c:a", "aac",
		"-f", "flv", url)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waited := false
	var werr error
	wait = func() (string, error) {
		if !waited {
			werr, waited = <-done, true
		}
		return out.String(), werr
	}
	t.Cleanup(func() {
		if !waited {
			_ = cmd.Process.Kill()
			wait()
		}
	})
	return wait
}

func TestFFmpegPublishFFprobePlays(t *testing.T) {
	needTools(t, "ffmpeg", "ffprobe")
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	url := s.URL("live", "x")
	// Long enough for ffprobe to join and read the codecs after the checks below, on a busy box.
	wait := publishFFmpeg(t, url, 10)

	testutil.WaitFor(t, 10*time.Second, "tracks", func() bool {
		ss, _ := s.Stats("live", "x")
		return len(ss.Tracks) == 2
	})
	ss, _ := s.Stats("live", "x")
	if !slices.Equal(ss.Tracks, []string{"H264", "MPEG-4 Audio"}) {
		t.Errorf("tracks = %v", ss.Tracks)
	}

	// The counters while the publisher is still there (the stream's stats go with it).
	testutil.WaitFor(t, 10*time.Second, "a second of media counted", func() bool {
		ss, _ = s.Stats("live", "x")
		return ss.Publishing && ss.VideoFrames >= 25 && ss.AudioFrames >= 25 && ss.Bytes >= 10_000
	})

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	got, stderr, err := probeCodecs(ctx, url)
	if err != nil {
		t.Fatalf("ffprobe: %v\n%s", err, stderr)
	}
	if !slices.Contains(got, "h264") || !slices.Contains(got, "aac") {
		t.Errorf("ffprobe saw %v, want h264 and aac", got)
	}
	if out, err := wait(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	testutil.WaitFor(t, 5*time.Second, "stream to go", func() bool {
		_, ok := s.Stats("live", "x")
		return !ok
	})
}

func TestSecondPublisherRefused(t *testing.T) {
	m := loadMedia(t)
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	first := make(chan error, 1)
	done := make(chan error, 1)
	go func() { done <- publishClient(ctx, "rtmp://"+s.ListenAddr().String()+"/live#busy", m, nil, first) }()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, "first publication analysed", func() bool {
		ss, _ := s.Stats("live", "busy")
		return ss.VideoFrames > 0
	})

	second := make(chan error, 1)
	err := publishClient(ctx, "rtmp://"+s.ListenAddr().String()+"/live#busy", m, nil, second)
	if err == nil || !strings.Contains(err.Error(), "NetStream.Publish.BadName") {
		t.Fatalf("second publisher: %v, want NetStream.Publish.BadName", err)
	}

	// ffmpeg is refused too, and the first publisher is untouched.
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		out, err := publishFFmpeg(t, s.URL("live", "busy"), 2)()
		if err == nil {
			t.Errorf("ffmpeg second publisher succeeded:\n%s", out)
		}
	}
	ss, _ := s.Stats("live", "busy")
	before := ss.VideoFrames
	time.Sleep(300 * time.Millisecond)
	if ss, _ = s.Stats("live", "busy"); !ss.Publishing || ss.VideoFrames <= before {
		t.Errorf("first publisher disturbed: %+v", ss)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("first publisher: %v", err)
	}
}

func TestClientPublishFFprobeReads(t *testing.T) {
	needTools(t, "ffprobe")
	m := loadMedia(t)
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	ready := make(chan error, 1)
	done := make(chan error, 1)
	go func() { done <- publishClient(ctx, "rtmp://"+s.ListenAddr().String()+"/live#sipcast", m, nil, ready) }()
	if err := <-ready; err != nil {
		t.Fatal(err)
	}

	pctx, pcancel := context.WithTimeout(ctx, 15*time.Second)
	defer pcancel()
	got, stderr, err := probeCodecs(pctx, s.URL("live", "sipcast"))
	if err != nil {
		t.Fatalf("ffprobe: %v\n%s", err, stderr)
	}
	if !slices.Equal(got, []string{"h264", "aac"}) && !slices.Equal(got, []string{"aac", "h264"}) {
		t.Errorf("ffprobe saw %v, want h264 and aac", got)
	}
	if strings.Contains(stderr, "non-existing PPS") || strings.Contains(stderr, "no frame") {
		t.Errorf("decoder complained:\n%s", stderr)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("publisher: %v", err)
	}
}

func TestStartReportsBindError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	s := &Server{Addr: ln.Addr().String()}
	if err := s.Start(); err == nil {
		s.Close()
		t.Fatal("Start on a busy port succeeded")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close after failed Start: %v", err)
	}
}

func TestStartTwiceAndAfterClose(t *testing.T) {
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	if err := s.Start(); !errors.Is(err, ErrAlreadyStarted) {
		t.Errorf("second Start: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close: %v", err)
	}
}

func TestCloseCutsIdleConnection(t *testing.T) {
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	c, err := net.Dial("tcp", s.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	testutil.WaitFor(t, 2*time.Second, "connection tracked", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) == 1
	})
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v with a half-open handshake", d)
	}
}
