package rtmpserver

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
)

// goroutineSettle is how long goroutines get to finish after Close before a
// leak is reported (exec's and the runtime's helpers need a moment).
const goroutineSettle = 3 * time.Second

// needTools skips a test in -short mode (these tests stream real-time media
// for seconds) or when a tool it runs is missing.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("real-time media test")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
}

// startServer starts a Server on a free loopback port, closed at cleanup.
func startServer(t *testing.T, mod func(*Server)) *Server {
	t.Helper()
	s := &Server{
		Addr:   "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mod != nil {
		mod(s)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// probeCodecs runs ffprobe on url and returns the codec names it reports.
func probeCodecs(ctx context.Context, url string) ([]string, string, error) {
	cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error",
		"-show_entries", "stream=codec_name", "-of", "csv=p=0", url)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return strings.Fields(out.String()), errOut.String(), err
}

// testMedia is real H.264 and AAC, made by ffmpeg once per test binary.
type testMedia struct {
	sps, pps []byte
	aus      [][][]byte // 25 fps access units, one IDR a second, no AUDs
	aac      [][]byte   // 1024-sample AAC frames
	aacConf  *mpeg4audio.AudioSpecificConfig
}

const (
	mediaFrameRate = 25
	mediaAACRate   = 44100
	mediaAACFrame  = 1024 // samples per AAC frame
)

var (
	mediaMu    sync.Mutex
	mediaCache = map[string]*testMedia{}
)

// loadMedia returns 320x240 test media.
func loadMedia(t *testing.T) *testMedia { return loadMediaSize(t, "320x240") }

// loadMediaSize returns test media of the given picture size.
func loadMediaSize(t *testing.T, size string) *testMedia {
	t.Helper()
	needTools(t, "ffmpeg")
	mediaMu.Lock()
	defer mediaMu.Unlock()
	if m := mediaCache[size]; m != nil {
		return m
	}
	m, err := makeMedia(size)
	if err != nil {
		t.Fatal(err)
	}
	mediaCache[size] = m
	return m
}

func makeMedia(size string) (*testMedia, error) {
	dir, err := os.MkdirTemp("", "rtmpserver-media")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	v, a := filepath.Join(dir, "v.h264"), filepath.Join(dir, "a.aac")
	run := func(args ...string) error {
		out, err := exec.Command("ffmpeg", append([]string{"-v", "error", "-y"}, args...)...).CombinedOutput()
		if err != nil {
			return &exec.Error{Name: "ffmpeg " + string(out), Err: err}
		}
		return nil
	}
	if err := run("-f", "lavfi", "-i", "testsrc2=size="+size+":rate=25", "-t", "4",
		"-c:v", "libx264", "-profile:v", "baseline", "-bf", "0", "-g", "25", "-pix_fmt", "yuv420p",
		"-x264-params", "aud=1", "-f", "h264", v); err != nil {
		return nil, err
	}
	if err := run("-f", "lavfi", "-i", "sine=sample_rate=44100", "-t", "4", "-ac", "1",
		"-c:a", "aac", "-f", "adts", a); err != nil {
		return nil, err
	}
	m := &testMedia{}
	raw, err := os.ReadFile(v)
	if err != nil {
		return nil, err
	}
	var au [][]byte
	for _, nalu := range splitAnnexB(raw) {
		switch h264.NALUType(nalu[0] & 0x1f) {
		case h264.NALUTypeAccessUnitDelimiter:
			if len(au) > 0 {
				m.aus = append(m.aus, au)
			}
			au = nil
			continue
		case h264.NALUTypeSPS:
			m.sps = nalu
		case h264.NALUTypePPS:
			m.pps = nalu
		}
		au = append(au, nalu)
	}
	if len(au) > 0 {
		m.aus = append(m.aus, au)
	}
	raw, err = os.ReadFile(a)
	if err != nil {
		return nil, err
	}
	var pkts mpeg4audio.ADTSPackets
	if err := pkts.Unmarshal(raw); err != nil {
		return nil, err
	}
	for _, p := range pkts {
		m.aac = append(m.aac, p.AU)
	}
	m.aacConf = &mpeg4audio.AudioSpecificConfig{
		Type: pkts[0].Type, SampleRate: pkts[0].SampleRate, ChannelConfig: pkts[0].ChannelConfig,
	}
	return m, nil
}

// splitAnnexB cuts an H.264 byte stream at its start codes.
func splitAnnexB(b []byte) [][]byte {
	var out [][]byte
	start := -1
	for i := 0; i+3 <= len(b); {
		if b[i] == 0 && b[i+1] == 0 && b[i+2] == 1 {
			if start >= 0 {
				out = append(out, bytes.TrimRight(b[start:i], "\x00"))
			}
			i += 3
			start = i
			continue
		}
		i++
	}
	if start >= 0 && start < len(b) {
		out = append(out, b[start:])
	}
	return out
}

// switchAfter is when publishClient switches to its second media.
const switchAfter = 3 * time.Second

// publishClient publishes m in a loop, in real time, with gortmplib's Client as
// sipcast does, until ctx ends. With next, it switches to next (new SPS/PPS,
// so a new Writer, as sipcast does) at the first keyframe after switchAfter.
// It reports the setup error, if any, on ready, and returns nil when ctx ends.
func publishClient(ctx context.Context, rawURL string, m, next *testMedia, ready chan<- error) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		ready <- err
		return err
	}
	c := &gortmplib.Client{URL: u, Publish: true}
	initCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = c.Initialize(initCtx)
	cancel()
	if err != nil {
		ready <- err
		return err
	}
	defer c.Close()
	vt := &gortmplib.Track{Codec: &codecs.H264{SPS: m.sps, PPS: m.pps}}
	at := &gortmplib.Track{Codec: &codecs.MPEG4Audio{Config: m.aacConf}}
	w := &gortmplib.Writer{Conn: c, Tracks: []*gortmplib.Track{vt, at}}
	if err := w.Initialize(); err != nil {
		ready <- err
		return err
	}
	ready <- nil

	frameDur := time.Second / mediaFrameRate
	aacDur := time.Duration(mediaAACFrame) * time.Second / mediaAACRate
	start := time.Now()
	var vn, first, an int // video frames sent, first frame of m, audio frames sent
	for {
		vts, ats := time.Duration(vn)*frameDur, time.Duration(an)*aacDur
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Until(start.Add(min(vts, ats)))):
		}
		_ = c.NetConn().SetWriteDeadline(time.Now().Add(2 * time.Second))
		if vts > ats {
			if err := w.WriteMPEG4Audio(at, ats, m.aac[an%len(m.aac)]); err != nil {
				return err
			}
			an++
			continue
		}
		if next != nil && vts >= switchAfter && (vn-first)%len(m.aus)%mediaFrameRate == 0 {
			m, next, first = next, nil, vn
			vt = &gortmplib.Track{Codec: &codecs.H264{SPS: m.sps, PPS: m.pps}}
			w = &gortmplib.Writer{Conn: c, Tracks: []*gortmplib.Track{vt, at}}
			if err := w.Initialize(); err != nil {
				return err
			}
		}
		if err := w.WriteH264(vt, vts, vts, m.aus[(vn-first)%len(m.aus)]); err != nil {
			return err
		}
		vn++
	}
}
