package e2e

import (
	"fmt"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/media/blackframe"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// snapshotWait is how long baresip may take to decode a frame once asked. Its jitter buffer
// holds 5 packets before it plays any (jitter_buffer_delay's default 5-10): measured 1.5 s of
// H.264 (three packets a keyframe), 3 s of VP8 (one); twice that for a loaded machine.
const snapshotWait = 6 * time.Second

// A softphone decodes sipcast's video: on a hasVideo call (video sendrecv) baresip, asked for a
// snapshot of the next video frame it decodes, saves sipcast's black 176x144 keyframe, in H.264
// and in VP8. The control: with hasVideo false sipcast offers video recvonly and sends none, and
// the same request saves nothing, so the picture is sipcast's comfort video and nothing else.
func TestE2ESoftphoneDecodesBlackVideo(t *testing.T) {
	peers.RequireTools(t, "baresip", "ffmpeg")
	t.Parallel()
	cases := []struct {
		name, video string
		hasVideo    bool
	}{
		{"H.264", "H264", true},
		{"VP8", "VP8", true},
		{"hasVideo false: none", "H264", false},
	}
	rtp := peers.FreeUDPPorts(t, 4*len(cases))
	g := startGateway(t, fmt.Sprintf("SIPCAST_RTP_PORTS=%d-%d", rtp, rtp+4*len(cases)-1))
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := g.forTest(t)
			bob := peers.StartBaresip(t, peers.WithBaresipCodecs("pcmu,pcma", tc.video), peers.WithVideoSnapshots())
			id := fmt.Sprintf("black%d", i)
			if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": id, "callee": "bob",
				"sipDomain": "127.0.0.1", "sipPort": bob.SIPPort(), "hasAudio": "true",
				"hasVideo": fmt.Sprint(tc.hasVideo)})); code != http.StatusOK {
				t.Fatalf("startup: %d %s", code, res)
			}
			g.waitStatus(id, callapi.StatusEstablished, 10*time.Second)
			path := filepath.Join(bob.Dir, "received.png")
			if out, err := bob.Command("snapshot_recv", path); err != nil {
				t.Fatalf("snapshot_recv: %v %q\n%s", err, out, tail(bob.Logs()))
			}
			img, waited := waitPNG(path, snapshotWait)
			if !tc.hasVideo {
				if img != nil {
					t.Fatalf("baresip decoded video sipcast should not have sent")
				}
				return
			}
			if img == nil {
				t.Fatalf("baresip decoded no video within %v\nbaresip:\n%s", snapshotWait, tail(bob.Logs()))
			}
			if b := img.Bounds(); b.Dx() != blackframe.Width || b.Dy() != blackframe.Height || !black(img) {
				t.Fatalf("baresip decoded a %v picture, black %v: not sipcast's", b, black(img))
			}
			if !strings.Contains(bob.Logs(), "png: wrote "+path) {
				t.Errorf("no \"png: wrote\" in baresip's log")
			}
			t.Logf("baresip decoded sipcast's black %s keyframe %v after asking", tc.video, waited.Round(10*time.Millisecond))
		})
	}
}

// waitPNG waits for baresip to write a whole PNG at path.
func waitPNG(path string, within time.Duration) (image.Image, time.Duration) {
	start := time.Now()
	for time.Since(start) < within {
		if f, err := os.Open(path); err == nil {
			img, err := png.Decode(f)
			f.Close()
			if err == nil {
				return img, time.Since(start)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return nil, within
}

// black: every pixel dark and grey, as the black keyframe decodes (video-range black, 16 of
// 255, comes out near 0 in RGB).
func black(img image.Image) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if max(r, g, bl)>>8 > 24 {
				return false
			}
		}
	}
	return true
}
