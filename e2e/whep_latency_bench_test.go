package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
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
// dark frames at 25 fps and, once a second, one white frame, stamped with the wall clock as its
// first packet leaves. Chromium plays the call at /play/{stream}; a requestVideoFrameCallback
// on the page reads each shown frame's brightness and notes when the first white one is
// expected on screen (expectedDisplayTime, on the same wall clock). Latency = shown − sent.
// Run: go test -run XXX -bench GlassToGlass -benchtime 1x ./e2e/
func BenchmarkWHEPGlassToGlass(b *testing.B) {
	peers.RequireTools(b, "sipp", "ffmpeg")
	dark, white := flashFrames(b)
	bin, err := testutil.Sipcast(false)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	rtpBase := peers.FreeUDPPorts(b, 8)
	g, err := testutil.Start(context.Background(), testutil.Options{Bin: bin, LogPath: filepath.Join(dir, "sipcast.log"),
		RESTPort: peers.FreeTCPPort(b), SIPPort: peers.FreeUDPPort(b), Env: []string{
			"SIPCAST_SIP_TLS_PORT=off", fmt.Sprintf("SIPCAST_RTP_PORTS=%d-%d", rtpBase, rtpBase+7),
			"SIPCAST_DATA_DIR=" + filepath.Join(dir, "data"), "SIPCAST_LOG_LEVEL=warn",
			"SIPCAST_WEBRTC_UDP_PORT=" + strconv.Itoa(peers.FreeUDPPort(b))}})
	if err != nil {
		b.Fatal(err)
	}
	defer g.Stop()
	sipp := peers.StartSIPpUAS(b, "uas_answer_only.xml")
	code, res, err := postJSON(g.REST+"/rest-api/call/startup", startupBody(map[string]any{"callId": "g2g", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port), "toStream": "g2g"}))
	if err != nil || code != 200 {
		b.Fatalf("startup: %d %s %v", code, res, err)
	}
	var videoPort int
	testutil.WaitFor(b, 10*time.Second, "sipcast's INVITE at SIPp", func() bool {
		return bytes.Contains([]byte(sipp.Messages()), []byte("m=video"))
	})
	_, videoPort = offerPorts(b, sipp.Messages())

	src := &flashSource{dark: dark, white: white}
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
	shown, err := chromedp.Run(page, chromedp.Evaluate[[]float64](`window.flashes`))
	if err != nil {
		b.Fatal(err)
	}
	lat := src.match(shown)
	if len(lat) < 10 {
		b.Fatalf("%d of %d flashes matched a sent white frame (shown at %v)", len(lat), len(src.sentAt()), shown)
	}
	sort.Float64s(lat)
	b.ReportMetric(lat[len(lat)/2], "ms-glass-to-glass-p50")
	b.ReportMetric(lat[len(lat)-1], "ms-glass-to-glass-max")
	b.Logf("glass to glass over %d flashes: min %.0f ms, p50 %.0f ms, max %.0f ms", len(lat), lat[0], lat[len(lat)/2], lat[len(lat)-1])
}

// flashWatcher notes, on the page, the wall-clock time each white frame that follows a dark one
// is expected on screen.
const flashWatcher = `(() => {
	const v = document.getElementById("video");
	const c = document.createElement("canvas"); c.width = 8; c.height = 8;
	const g = c.getContext("2d", {willReadFrequently: true});
	window.flashes = []; let bright = false;
	const onFrame = (now, md) => {
		g.drawImage(v, 0, 0, 8, 8);
		const d = g.getImageData(0, 0, 8, 8).data;
		let sum = 0; for (let i = 0; i < d.length; i += 4) sum += d[i];
		const isBright = sum / (d.length / 4) > 128;
		if (isBright && !bright) window.flashes.push(performance.timeOrigin + md.expectedDisplayTime);
		bright = isBright;
		v.requestVideoFrameCallback(onFrame);
	};
	v.requestVideoFrameCallback(onFrame);
})()`

// flashFrames encodes one dark and one white 320x240 frame with ffmpeg (libx264, baseline), each
// an access unit with its own SPS and PPS, so any frame can follow any other.
func flashFrames(b *testing.B) (dark, white [][]byte) {
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
	return enc("0x202020"), enc("white")
}

// flashSource sends the frames as H.264 RTP (PT 112, packetization-mode 1), 25 a second.
type flashSource struct {
	dark, white [][]byte

	mu   sync.Mutex
	sent []time.Time // when each white frame's first packet left
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
			frame := s.dark
			if i%25 == 12 {
				frame = s.white
			}
			var payloads [][]byte
			for _, nal := range frame {
				payloads = append(payloads, pay.Payload(1200, nal)...)
			}
			if i%25 == 12 {
				s.mu.Lock()
				s.sent = append(s.sent, time.Now())
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

func (s *flashSource) sentAt() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.sent...)
}

// match pairs each flash shown (Unix ms) with the last white frame sent before it, and returns
// the latencies in ms; a flash more than 900 ms after its frame (the next one was sent by then)
// is left out, as it cannot be told from a frame lost.
func (s *flashSource) match(shown []float64) []float64 {
	sent := s.sentAt()
	var lat []float64
	for _, ms := range shown {
		at := time.UnixMicro(int64(ms * 1000))
		i := sort.Search(len(sent), func(i int) bool { return sent[i].After(at) }) - 1
		if i < 0 {
			continue
		}
		if d := at.Sub(sent[i]); d < 900*time.Millisecond {
			lat = append(lat, float64(d.Microseconds())/1000)
		}
	}
	return lat
}
