package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net"
	"os/exec"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/testutil"
)

// BenchmarkWHEPGlassToGlass measures the latency from the device's socket to the browser's
// screen: a SIPp device answers H.264 and this benchmark sends the video from its own socket —
// dark frames at 25 fps and, once a second, one bright frame, stamped with the wall clock as its
// first packet leaves. The bright frames cycle through three grey levels, so a flash cannot be
// paired with the wrong one unless the latency passed 3 s. Chromium plays the call at
// /play/{stream}; a requestVideoFrameCallback on the page reads each shown frame's brightness
// and notes when a bright one that follows a dark one is expected on screen
// (expectedDisplayTime, on the same wall clock) and its level. Latency = shown − sent.
// Run: go test -run XXX -bench GlassToGlass -benchtime 1x ./e2e/
func BenchmarkWHEPGlassToGlass(b *testing.B) {
	peers.RequireTools(b, "sipp", "ffmpeg")
	dark, bright := flashFrames(b)
	g := startBenchGateway(b)
	sipp := startBenchCall(b, g, "uas_answer_only.xml", "g2g")
	var videoPort int
	testutil.WaitFor(b, 10*time.Second, "sipcast's INVITE at SIPp", func() bool {
		return bytes.Contains([]byte(sipp.Messages()), []byte("m=video"))
	})
	_, videoPort = offerPorts(b, sipp.Messages())

	src := &flashSource{dark: dark, bright: bright}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := src.run(ctx, b, videoPort)
	defer func() { cancel(); <-done }()

	page := startBrowser(b)
	if _, err := chromedp.Run(page, chromedp.Navigate(g.REST+"/play/g2g")); err != nil {
		b.Fatal(err)
	}
	waitDecoded(b, page, 10, 0, 30*time.Second)
	if _, err := chromedp.Run(page, chromedp.Evaluate[chromedp.Void](flashWatcher)); err != nil {
		b.Fatal(err)
	}
	time.Sleep(20 * time.Second)
	shown, err := chromedp.Run(page, chromedp.Evaluate[[]flash](`window.flashes`))
	if err != nil {
		b.Fatal(err)
	}
	lat := src.match(shown)
	if len(lat) < 10 {
		b.Fatalf("%d flashes matched a bright frame sent before them (shown %+v)", len(lat), shown)
	}
	sort.Float64s(lat)
	b.ReportMetric(lat[len(lat)/2], "ms-glass-to-glass-p50")
	b.ReportMetric(lat[len(lat)-1], "ms-glass-to-glass-max")
	b.Logf("glass to glass over %d flashes: min %.0f ms, p50 %.0f ms, max %.0f ms", len(lat), lat[0], lat[len(lat)/2], lat[len(lat)-1])
}

// flashWatcher notes, on the page, the wall-clock time each bright frame that follows a dark one
// is expected on screen, and its brightness (mean red of an 8x8 thumbnail).
const flashWatcher = `(() => {
	const v = document.getElementById("video");
	const c = document.createElement("canvas"); c.width = 8; c.height = 8;
	const g = c.getContext("2d", {willReadFrequently: true});
	window.flashes = []; let bright = false;
	const onFrame = (now, md) => {
		g.drawImage(v, 0, 0, 8, 8);
		const d = g.getImageData(0, 0, 8, 8).data;
		let sum = 0; for (let i = 0; i < d.length; i += 4) sum += d[i];
		const level = sum / (d.length / 4), isBright = level > 80;
		if (isBright && !bright) window.flashes.push({at: performance.timeOrigin + md.expectedDisplayTime, level});
		bright = isBright;
		v.requestVideoFrameCallback(onFrame);
	};
	v.requestVideoFrameCallback(onFrame);
})()`

// flash is one bright frame seen on the page: when (Unix ms) and how bright (0–255).
type flash struct {
	At    float64 `json:"at"`
	Level float64 `json:"level"`
}

// flashLevels are the grey levels of the bright frames, in the order they are sent.
var flashLevels = [...]int{0xff, 0xc0, 0x88}

// flashFrames encodes a dark 320x240 frame and one of each flash level with ffmpeg (libx264,
// baseline), each an access unit with its own SPS and PPS, so any frame can follow any other.
func flashFrames(b *testing.B) (dark [][]byte, bright [len(flashLevels)][][]byte) {
	enc := func(color string) [][]byte {
		out, err := exec.Command("ffmpeg", "-hide_banner", "-v", "error", "-nostdin", "-f", "lavfi",
			"-i", "color=c="+color+":s=320x240:r=25", "-frames:v", "1", "-c:v", "libx264", "-profile:v", "baseline",
			"-pix_fmt", "yuv420p", "-f", "h264", "-").Output()
		if err != nil {
			b.Fatalf("ffmpeg %s frame: %v", color, err)
		}
		var nals [][]byte
		for _, n := range bytes.Split(out, []byte{0, 0, 1}) {
			n = bytes.TrimRight(n, "\x00")
			if len(n) > 0 && n[0]&0x1f != 6 { // x264's SEI (its settings as text) is of no use here
				nals = append(nals, n)
			}
		}
		return nals
	}
	for i, l := range flashLevels {
		bright[i] = enc(fmt.Sprintf("0x%02x%02x%02x", l, l, l))
	}
	return enc("0x202020"), bright
}

// flashSource sends the frames as H.264 RTP (PT 112, packetization-mode 1), 25 a second.
type flashSource struct {
	dark   [][]byte
	bright [len(flashLevels)][][]byte

	mu   sync.Mutex
	sent [len(flashLevels)][]time.Time // when each bright frame's first packet left, by level
}

func (s *flashSource) run(ctx context.Context, b *testing.B, port int) <-chan struct{} {
	conn, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer conn.Close()
		var pay codecs.H264Payloader
		seq, ts := uint16(1), uint32(0)
		tick := time.NewTicker(40 * time.Millisecond)
		defer tick.Stop()
		for i := 0; ; i++ {
			frame, level := s.dark, -1
			if i%25 == 12 {
				level = (i / 25) % len(flashLevels)
				frame = s.bright[level]
			}
			var payloads [][]byte
			for _, nal := range frame {
				payloads = append(payloads, pay.Payload(1200, nal)...)
			}
			if level >= 0 {
				s.mu.Lock()
				s.sent[level] = append(s.sent[level], time.Now())
				s.mu.Unlock()
			}
			for k, p := range payloads {
				pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 112, SequenceNumber: seq, Timestamp: ts,
					SSRC: 0x6a1a55, Marker: k == len(payloads)-1}, Payload: p}
				raw, _ := pkt.Marshal()
				_, _ = conn.Write(raw)
				seq++
			}
			ts += 3600
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return done
}

// match pairs each flash shown with the last frame of its level sent before it, and returns the
// latencies in ms. A level is told by the nearest grey; a pairing is only trusted below one
// cycle of levels (3 s), past which the frame it stands for cannot be known.
func (s *flashSource) match(shown []flash) []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var lat []float64
	for _, f := range shown {
		level := 0
		for i, l := range flashLevels {
			if math.Abs(f.Level-float64(l)) < math.Abs(f.Level-float64(flashLevels[level])) {
				level = i
			}
		}
		at := time.UnixMicro(int64(f.At * 1000))
		sent := s.sent[level]
		i := sort.Search(len(sent), func(i int) bool { return sent[i].After(at) }) - 1
		if i < 0 {
			continue
		}
		if d := at.Sub(sent[i]); d < time.Duration(len(flashLevels))*time.Second {
			lat = append(lat, float64(d.Microseconds())/1000)
		}
	}
	return lat
}
