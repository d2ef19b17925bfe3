package peers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// publish sends a 320x240 testsrc + sine as FLV to url in real time, for at
// most maxSeconds. The returned stop ends it and reports whether ffmpeg had
// failed before being stopped.
func publish(t *testing.T, url string, maxSeconds int) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	cmd := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-re",
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
		"-t", strconv.Itoa(maxSeconds),
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "64k",
		"-f", "flv", url)
	setKill(cmd)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			select {
			case err = <-done:
				if err == nil {
					err = fmt.Errorf("ffmpeg publish ended early: %s", out.String())
				} else {
					err = fmt.Errorf("ffmpeg publish: %w: %s", err, out.String())
				}
			default:
				cancel()
				<-done
			}
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

func TestNginxPublishProbe(t *testing.T) {
	t.Parallel()
	RequireTools(t, "ffmpeg", "ffprobe")
	n := StartNginx(t, WithHLS(), WithStat())
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()

	url := n.URL("live") + "/test"
	stop := publish(t, url, 20)

	var wg sync.WaitGroup
	var streams []Stream
	var probeErr error
	wg.Go(func() { streams, probeErr = Probe(ctx, url) })
	var frames int
	var decodeErrs string
	var decodeErr error
	wg.Go(func() { frames, decodeErrs, decodeErr = DecodeCheck(ctx, url, 2) })
	wg.Wait()
	// The stat page lists the publisher while it publishes.
	stat := httpGet(n.StatURL())
	if err := stop(); err != nil {
		t.Fatalf("%v\nnginx:\n%s", err, n.ErrorLog())
	}

	if probeErr != nil {
		t.Fatal(probeErr)
	}
	var video, audio *Stream
	for i := range streams {
		switch streams[i].Type {
		case "video":
			video = &streams[i]
		case "audio":
			audio = &streams[i]
		}
	}
	if video == nil || video.Codec != "h264" || video.Width != 320 || video.Height != 240 {
		t.Errorf("video stream = %+v, want h264 320x240 (all: %+v)", video, streams)
	}
	if audio == nil || audio.Codec != "aac" || audio.SampleRate != 44100 {
		t.Errorf("audio stream = %+v, want aac 44100 Hz", audio)
	}

	if decodeErr != nil {
		t.Fatal(decodeErr)
	}
	// -t 2 at 25 fps.
	if frames < 45 || frames > 55 {
		t.Errorf("decoded %d frames in 2 s, want ~50", frames)
	}
	if strings.TrimSpace(decodeErrs) != "" {
		t.Errorf("decode errors: %s", decodeErrs)
	}

	if !strings.Contains(stat, "<name>test</name>") || !strings.Contains(stat, "<publishing/>") {
		t.Errorf("stat page does not list the publisher:\n%.2000s", stat)
	}
	if _, err := os.Stat(filepath.Join(n.HLSDir, "test.m3u8")); err != nil {
		t.Errorf("no HLS playlist: %v (%s)", err, n.HLSURL("test"))
	}
}

func httpGet(url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestNginxStop(t *testing.T) {
	t.Parallel()
	n := StartNginx(t)
	n.Stop()
	n.Stop() // idempotent
	if !n.proc.exited() {
		t.Fatal("nginx still running after Stop")
	}
	if err := waitTCP(n.proc, n.Port, 100*time.Millisecond); err == nil {
		t.Fatal("RTMP port still accepting after Stop")
	}
}
