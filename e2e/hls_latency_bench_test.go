package e2e

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/gohlslib/v2"
	"github.com/bluenviron/gohlslib/v2/pkg/codecs"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/testutil"
)

// BenchmarkLLHLSLatency measures the live latency of a player that reads LL-HLS parts, as
// Safari and hls.js in low-latency mode do: gohlslib's own client, which opens at the media
// playlist's EXT-X-PRELOAD-HINT (the part being made), waits on that request until the part is
// complete, reloads the playlist, and hands out each sample no sooner than its media time after
// the first one (as a player's clock would). A SIPp device (`uas_h264_pcmu_loop.xml`, video
// replayed until the BYE) calls a sipcast built without the race detector, and the client reads
// /hls/{toStream}/ for hlsWatch.
//
// Latency of a sample = the wall clock when the client hands it out, less its absolute time,
// which gohlslib derives from EXT-X-PROGRAM-DATE-TIME: a segment's PDT is the wall clock when the
// HLS actor took its first video frame in (actors/hls: time.Now() on WriteH264), and the client
// places every other sample of the segment, audio included, by its media time from there. For
// video that covers the HLS actor's intake → the muxer's part → HTTP → the client's demuxing and
// pacing; for audio, whose media time is the call's timeline, also the AAC encoder (its frame
// and priming). Not covered: the device → sipcast leg (RTP, jitter buffer), nor a player's
// buffer, decode and display. Client and gateway share the machine's clock.
// Run: go test -run XXX -bench LLHLSLatency -benchtime 1x ./e2e/
func BenchmarkLLHLSLatency(b *testing.B) {
	peers.RequireTools(b, "sipp")
	g := startBenchGateway(b)
	startBenchCall(b, g, "uas_h264_pcmu_loop.xml", "ll1")
	url := g.REST + "/hls/ll1/index.m3u8"
	// The first request starts the muxer; it answers once the muxer has a segment.
	testutil.WaitFor(b, 20*time.Second, "the LL-HLS playlist", func() bool {
		code, _, err := getText(url)
		return err == nil && code == http.StatusOK
	})

	ctx, cancel := context.WithCancel(context.Background())
	holdBack := sampleHoldBack(ctx, videoPlaylist(b, g.REST+"/hls/ll1/"))
	w := watchLLHLS(b, url, hlsWatch)
	cancel()
	hb := <-holdBack
	video, audio := w.latencies()
	if len(video) < 100 || len(audio) < 100 {
		b.Fatalf("%d video and %d audio samples in %v", len(video), len(audio), hlsWatch)
	}
	b.ReportMetric(ms(video[len(video)/2]), "ms-video-p50")
	b.ReportMetric(ms(video[len(video)-1]), "ms-video-max")
	b.ReportMetric(ms(audio[len(audio)/2]), "ms-audio-p50")
	b.ReportMetric(ms(audio[len(audio)-1]), "ms-audio-max")
	b.Logf("video latency over %d frames: min %v, p50 %v, p90 %v, max %v", len(video),
		video[0], video[len(video)/2], video[len(video)*9/10], video[len(video)-1])
	b.Logf("audio latency over %d frames: min %v, p50 %v, p90 %v, max %v", len(audio),
		audio[0], audio[len(audio)/2], audio[len(audio)*9/10], audio[len(audio)-1])
	var reqs []string
	for _, k := range w.reqs.kinds() {
		n, waits := w.reqs.of(k)
		if strings.HasSuffix(k, "-part") || strings.Contains(k, "-playlist") {
			b.ReportMetric(float64(n)/hlsWatch.Seconds(), k+"-req/s")
		}
		if k == "video1-part" {
			b.ReportMetric(ms(waits[len(waits)/2]), "ms-video-part-wait-p50")
		}
		reqs = append(reqs, fmt.Sprintf("%s %d (answered after p50 %v, max %v)", k, n,
			waits[len(waits)/2].Round(time.Millisecond), waits[len(waits)-1].Round(time.Millisecond)))
	}
	b.Logf("requests in %v: %s", hlsWatch, strings.Join(reqs, ", "))
	if len(hb) == 0 {
		b.Fatal("no PART-HOLD-BACK in the video playlist")
	}
	b.ReportMetric(ms(hb[len(hb)/2]), "ms-part-hold-back-p50")
	b.ReportMetric(ms(hb[len(hb)-1]), "ms-part-hold-back-max")
	long := 0
	for _, d := range hb {
		if d > hb[0] {
			long++
		}
	}
	b.Logf("PART-HOLD-BACK over %d samples: min %v, p50 %v, max %v; above the min in %d", len(hb), hb[0],
		hb[len(hb)/2], hb[len(hb)-1], long)
}

// videoPlaylist returns the URL of the video's media playlist under base.
func videoPlaylist(b *testing.B, base string) string {
	_, index, err := getText(base + "index.m3u8")
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range playlistFiles([]byte(index)) {
		if strings.HasPrefix(f, "video") {
			return base + f
		}
	}
	b.Fatalf("no video playlist in %s", index)
	return ""
}

var partHoldBack = regexp.MustCompile(`PART-HOLD-BACK=([0-9.]+)`)

// sampleHoldBack reads the video playlist every 500 ms until ctx ends, and returns its
// PART-HOLD-BACK values sorted: how far behind the live edge a player that follows the spec
// (Safari, hls.js in low-latency mode) starts. gohlslib sets it to 2.5 part targets, and the part
// target to the longest part in the playlist.
func sampleHoldBack(ctx context.Context, url string) <-chan []time.Duration {
	out := make(chan []time.Duration, 1)
	go func() {
		var got []time.Duration
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				slices.Sort(got)
				out <- got
				return
			case <-t.C:
			}
			if _, pl, err := getText(url); err == nil {
				if m := partHoldBack.FindStringSubmatch(pl); m != nil {
					if v, err := strconv.ParseFloat(m[1], 64); err == nil {
						got = append(got, time.Duration(v*float64(time.Second)))
					}
				}
			}
		}
	}()
	return out
}

// hlsWatch is how long the client reads the stream.
const hlsWatch = 20 * time.Second

// llWatch is one gohlslib client's reading: every sample's latency, and its requests.
type llWatch struct {
	reqs  *reqLog
	mu    sync.Mutex
	video []time.Duration
	audio []time.Duration
}

// watchLLHLS reads url with gohlslib's client for d.
func watchLLHLS(b *testing.B, url string, d time.Duration) *llWatch {
	w := &llWatch{reqs: &reqLog{next: http.DefaultTransport}}
	c := &gohlslib.Client{URI: url, HTTPClient: &http.Client{Transport: w.reqs}}
	quiet := func(string) {}
	c.OnDownloadPrimaryPlaylist, c.OnDownloadStreamPlaylist = quiet, quiet
	c.OnDownloadSegment, c.OnDownloadPart = quiet, quiet
	c.OnDecodeError = func(err error) { b.Logf("gohlslib: %v", err) }
	c.OnTracks = func(tracks []*gohlslib.Track) error {
		for _, tr := range tracks {
			switch tr.Codec.(type) {
			case *codecs.H264:
				c.OnDataH26x(tr, func(int64, int64, [][]byte) { w.note(c, tr, &w.video) })
			case *codecs.MPEG4Audio:
				c.OnDataMPEG4Audio(tr, func(int64, [][]byte) { w.note(c, tr, &w.audio) })
			}
		}
		return nil
	}
	if err := c.Start(); err != nil {
		b.Fatal(err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- c.Wait2() }()
	select {
	case <-time.After(d):
		c.Close()
	case err := <-stopped:
		v, _ := w.latencies()
		b.Fatalf("the client stopped after %d video samples: %v", len(v), err)
	}
	return w
}

// note records the latency of the sample just handed out: the client sets a track's absolute
// time before it calls the track's callback, on the same goroutine.
func (w *llWatch) note(c *gohlslib.Client, tr *gohlslib.Track, into *[]time.Duration) {
	now := time.Now()
	at, ok := c.AbsoluteTime(tr)
	if !ok {
		return
	}
	w.mu.Lock()
	*into = append(*into, now.Sub(at))
	w.mu.Unlock()
}

func (w *llWatch) latencies() (video, audio []time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	video, audio = slices.Clone(w.video), slices.Clone(w.audio)
	slices.Sort(video)
	slices.Sort(audio)
	return video, audio
}

// reqLog counts the client's requests by kind and how long each waited for its answer (a part
// named by EXT-X-PRELOAD-HINT is answered once the muxer completes it).
type reqLog struct {
	next  http.RoundTripper
	mu    sync.Mutex
	waits map[string][]time.Duration
}

func (r *reqLog) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	res, err := r.next.RoundTrip(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.waits == nil {
		r.waits = map[string][]time.Duration{}
	}
	k := reqKind(req)
	r.waits[k] = append(r.waits[k], time.Since(start))
	return res, err
}

// reqKind names an LL-HLS request by its stream (video1, audio2) and what it asks for:
// playlist (a blocking reload when it names _HLS_msn), part, segment or init; "index" for the
// multivariant playlist.
func reqKind(req *http.Request) string {
	name, q := path.Base(req.URL.Path), req.URL.Query()
	if stream, ok := strings.CutSuffix(name, "_stream.m3u8"); ok {
		if q.Has("_HLS_msn") {
			return stream + "-playlist-blocking"
		}
		return stream + "-playlist"
	}
	// Media files are {prefix}_{stream}_{part12|seg9|init}.mp4.
	f := strings.Split(strings.TrimSuffix(name, ".mp4"), "_")
	if len(f) != 3 {
		return "index"
	}
	return f[1] + "-" + strings.TrimRight(f[2], "0123456789")
}

func (r *reqLog) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ks []string
	for k := range r.waits {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// of returns how many requests of kind k were made, and their waits sorted.
func (r *reqLog) of(k string) (int, []time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := slices.Clone(r.waits[k])
	slices.Sort(w)
	return len(w), w
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
