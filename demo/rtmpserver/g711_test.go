package rtmpserver

import (
	"context"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/leak"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
)

// TestG711PassesThrough: sipcast may forward PCMU untouched (Writer.WriteG711,
// the only audio track). gortmplib's Reader finds such a track from the data
// alone (there is no sequence header), so it must arrive within its analysis.
func TestG711PassesThrough(t *testing.T) {
	needTools(t, "ffprobe")
	m := loadMedia(t)
	leak.CheckGoroutines(t, goroutineSettle)
	s := startServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	u, err := url.Parse("rtmp://" + s.ListenAddr().String() + "/live#pcmu")
	if err != nil {
		t.Fatal(err)
	}
	c := &gortmplib.Client{URL: u, Publish: true}
	if err := c.Initialize(ctx); err != nil {
		t.Fatal(err)
	}
	vt := &gortmplib.Track{Codec: &codecs.H264{SPS: m.sps, PPS: m.pps}}
	at := &gortmplib.Track{Codec: &codecs.G711{MULaw: true, ChannelCount: 1}}
	w := &gortmplib.Writer{Conn: c, Tracks: []*gortmplib.Track{vt, at}}
	if err := w.Initialize(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		defer c.Close()
		silence := make([]byte, 160) // 20 ms of 8 kHz µ-law
		start := time.Now()
		for i := 0; ; i++ {
			ts := time.Duration(i) * 20 * time.Millisecond
			select {
			case <-ctx.Done():
				done <- nil
				return
			case <-time.After(time.Until(start.Add(ts))):
			}
			var err error
			if i%2 == 0 { // a video frame every 40 ms
				err = w.WriteH264(vt, ts, ts, m.aus[(i/2)%len(m.aus)])
			}
			if err == nil {
				err = w.WriteG711(at, ts, silence)
			}
			if err != nil {
				done <- err
				return
			}
		}
	}()

	pctx, pcancel := context.WithTimeout(ctx, 15*time.Second)
	defer pcancel()
	got, stderr, err := probeCodecs(pctx, s.URL("live", "pcmu"))
	if err != nil {
		t.Fatalf("ffprobe: %v\n%s", err, stderr)
	}
	if !slices.Contains(got, "h264") || !slices.Contains(got, "pcm_mulaw") {
		t.Errorf("ffprobe saw %v, want h264 and pcm_mulaw", got)
	}
	if ss, _ := s.Stats("live", "pcmu"); !slices.Equal(ss.Tracks, []string{"H264", "PCMU"}) {
		t.Errorf("tracks %v", ss.Tracks)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("publisher: %v", err)
	}
}
