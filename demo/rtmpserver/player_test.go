package rtmpserver

import (
	"bytes"
	"context"
	"net/url"
	"os/exec"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/leak"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"github.com/sipcast/sipcast/internal/testutil"
)

// played is what a gortmplib player saw.
type played struct {
	tracks        []*gortmplib.Track
	firstVideoKey bool     // the first picture was an IDR
	dtsIncreasing bool     // video DTS never went back
	video, audio  int      // pictures and audio frames received
	inlineSPS     [][]byte // SPS sent mid-stream (a new sequence header)
}

// playClient plays rawURL (rtmp://host/app#stream) with gortmplib's Client
// until it has received wantVideo pictures, ctx ends or a read fails.
func playClient(ctx context.Context, rawURL string, wantVideo int) (*played, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	c := &gortmplib.Client{URL: u}
	if err := c.Initialize(ctx); err != nil {
		return nil, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { _ = c.NetConn().Close() })
	defer stop()

	r := &gortmplib.Reader{Conn: c}
	if err := r.Initialize(); err != nil {
		return nil, err
	}
	p := &played{tracks: r.Tracks(), dtsIncreasing: true}
	last := time.Duration(-1)
	for _, t := range p.tracks {
		switch t.Codec.(type) {
		case *codecs.H264:
			r.OnDataH264(t, func(_, dts time.Duration, au [][]byte) {
				cur := t.Codec.(*codecs.H264)
				next, changed, picture := h264Update(cur, au)
				if changed {
					p.inlineSPS = append(p.inlineSPS, next.SPS)
				}
				if !picture {
					return
				}
				if p.video == 0 {
					p.firstVideoKey = h264.IsRandomAccess(au)
				}
				if dts <= last {
					p.dtsIncreasing = false
				}
				last = dts
				p.video++
			})
		case *codecs.MPEG4Audio:
			r.OnDataMPEG4Audio(t, func(time.Duration, []byte) { p.audio++ })
		}
	}
	for p.video < wantVideo {
		if err := r.Read(); err != nil {
			return p, err
		}
	}
	return p, nil
}

// startPublisher publishes m (then next) to app live, stream name, until the
// test ends.
func startPublisher(t *testing.T, s *Server, name string, m, next *testMedia) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan error, 1)
	done := make(chan error, 1)
	go func() { done <- publishClient(ctx, "rtmp://"+s.ListenAddr().String()+"/live#"+name, m, next, ready) }()
	if err := <-ready; err != nil {
		cancel()
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("publisher: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}

func TestLateJoinerGetsTracksAndStartsOnKeyframe(t *testing.T) {
	m := loadMedia(t)
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	startPublisher(t, s, "late", m, nil)

	// Join in the middle of a GOP (one IDR every 25 frames).
	testutil.WaitFor(t, 10*time.Second, "mid-GOP", func() bool {
		ss, _ := s.Stats("live", "late")
		return ss.VideoFrames > 50 && ss.VideoFrames%25 >= 8 && ss.VideoFrames%25 <= 16
	})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	p, err := playClient(ctx, "rtmp://"+s.ListenAddr().String()+"/live#late", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.tracks) != 2 {
		t.Fatalf("tracks = %d", len(p.tracks))
	}
	if v, ok := p.tracks[0].Codec.(*codecs.H264); !ok || !bytes.Equal(v.SPS, m.sps) || !bytes.Equal(v.PPS, m.pps) {
		t.Errorf("video track %+v, want the publisher's SPS/PPS", p.tracks[0].Codec)
	}
	if a, ok := p.tracks[1].Codec.(*codecs.MPEG4Audio); !ok || a.Config.SampleRate != mediaAACRate {
		t.Errorf("audio track %+v", p.tracks[1].Codec)
	}
	if !p.firstVideoKey || !p.dtsIncreasing || p.audio == 0 {
		t.Errorf("played %+v: want to start on an IDR, increasing DTS, audio", p)
	}
}

func TestLateJoinerDecodesCleanly(t *testing.T) {
	needTools(t, "ffmpeg")
	m := loadMedia(t)
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	startPublisher(t, s, "clean", m, nil)
	testutil.WaitFor(t, 10*time.Second, "mid-GOP", func() bool {
		ss, _ := s.Stats("live", "clean")
		return ss.VideoFrames > 50 && ss.VideoFrames%25 >= 8 && ss.VideoFrames%25 <= 16
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-nostdin",
		"-i", s.URL("live", "clean"), "-t", "2", "-f", "null", "-").CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("ffmpeg decode: %v\n%s", err, out)
	}
}

func TestNewParametersReachPlayers(t *testing.T) {
	m, m2 := loadMedia(t), loadMediaSize(t, "160x120")
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	startPublisher(t, s, "resize", m, m2)

	// A player connected across the switch gets the new sequence header.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	addr := "rtmp://" + s.ListenAddr().String() + "/live#resize"
	early, err := playClient(ctx, addr, 5*mediaFrameRate)
	if err != nil {
		t.Fatal(err)
	}
	if len(early.inlineSPS) == 0 || !bytes.Equal(early.inlineSPS[len(early.inlineSPS)-1], m2.sps) {
		t.Errorf("early player saw SPS changes %x, want the new SPS %x", early.inlineSPS, m2.sps)
	}

	// A player joining after it starts with the new parameters.
	late, err := playClient(ctx, addr, 10)
	if err != nil {
		t.Fatal(err)
	}
	if v := late.tracks[0].Codec.(*codecs.H264); !bytes.Equal(v.SPS, m2.sps) {
		t.Errorf("late player SPS %x, want %x", v.SPS, m2.sps)
	}
	if !late.firstVideoKey {
		t.Error("late player did not start on an IDR")
	}
}

func TestPlayerBeforePublisherWaits(t *testing.T) {
	m := loadMedia(t)
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	type result struct {
		p   *played
		err error
	}
	res := make(chan result, 1)
	go func() {
		p, err := playClient(ctx, "rtmp://"+s.ListenAddr().String()+"/live#early", 30)
		res <- result{p, err}
	}()
	testutil.WaitFor(t, 5*time.Second, "player waiting", func() bool {
		ss, ok := s.Stats("live", "early")
		return ok && ss.Players == 1 && !ss.Publishing
	})
	startPublisher(t, s, "early", m, nil)
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !r.p.firstVideoKey || r.p.audio == 0 {
		t.Errorf("played %+v", r.p)
	}
}

func TestPlayerEndsWithPublisher(t *testing.T) {
	m := loadMedia(t)
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	stop := startPublisher(t, s, "gone", m, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	res := make(chan error, 1)
	go func() {
		_, err := playClient(ctx, "rtmp://"+s.ListenAddr().String()+"/live#gone", 1<<30)
		res <- err
	}()
	testutil.WaitFor(t, 10*time.Second, "player playing", func() bool {
		ss, _ := s.Stats("live", "gone")
		return ss.Players == 1 && ss.VideoFrames > 0
	})
	time.Sleep(500 * time.Millisecond)
	stop()
	select {
	case err := <-res:
		if err == nil {
			t.Error("player read no error")
		}
	case <-time.After(3 * time.Second):
		t.Fatal("player still connected 3 s after the publisher left")
	}
}

func TestCloseWithActiveConnections(t *testing.T) {
	m := loadMedia(t)
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	startPublisher(t, s, "busy", m, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	res := make(chan error, 1)
	go func() {
		_, err := playClient(ctx, "rtmp://"+s.ListenAddr().String()+"/live#busy", 1<<30)
		res <- err
	}()
	testutil.WaitFor(t, 10*time.Second, "player playing", func() bool {
		ss, _ := s.Stats("live", "busy")
		return ss.Players == 1 && ss.VideoFrames > 0
	})
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := <-res; err == nil {
		t.Error("player read no error after Close")
	}
}
