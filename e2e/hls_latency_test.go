package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/formats/fmp4"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// videoSegment matches the files of the video playlist that hold media.
var videoSegment = regexp.MustCompile(`_video1_seg(\d+)\.mp4$`)

// segmentLog records, in order, the video segments the page asks for, and the tfdt of the
// first (read at once: the muxer keeps a segment only SegmentCount seconds).
type segmentLog struct {
	mu    sync.Mutex
	urls  []string
	once  sync.Once
	ready chan struct{}
	start time.Duration
	err   error
}

// watchSegments starts recording the page's video segment requests; call it before the page
// opens the stream.
func watchSegments(t *testing.T, ctx context.Context) *segmentLog {
	t.Helper()
	l := &segmentLog{ready: make(chan struct{})}
	if err := chromedp.Listen(ctx, func(ev any) {
		e, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || !videoSegment.MatchString(e.Request.URL) {
			return
		}
		l.mu.Lock()
		l.urls = append(l.urls, e.Request.URL)
		l.mu.Unlock()
		l.once.Do(func() { go l.readStart(e.Request.URL) })
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return l
}

func (l *segmentLog) readStart(url string) {
	defer close(l.ready)
	res, err := http.Get(url)
	if err != nil {
		l.err = err
		return
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err == nil && res.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %d %s", url, res.StatusCode, b)
	}
	if err == nil {
		l.start, err = tfdt(b)
	}
	l.err = err
}

func (l *segmentLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.urls)
}

// shownFrame is a frame the page's <video id="hls"> put on screen: its media time and the wall
// clock then (requestVideoFrameCallback).
type shownFrame struct {
	Media float64 `json:"media"`
	Wall  float64 `json:"wall"` // ms since the epoch
}

// hlsLatency measures, n times, how far the page's HLS player is behind the gateway: the wall
// clock when a frame is shown, less the wall clock when sipcast's muxer took that frame in.
//
// Chromium's native HLS starts its media time at 0 with the first segment it loads and counts
// on from there (it reads segments only, never parts), so a shown media time is that segment's
// tfdt plus the media time, as long as it loaded the segments that follow one by one. The
// muxer's wall clock of a tfdt comes from the video playlist: EXT-X-PROGRAM-DATE-TIME is the
// wall clock of a segment's first frame. Browser and gateway share the machine's clock.
// It returns the latencies sorted, or nil when Chromium skipped a segment (the sum no longer holds).
func hlsLatency(t *testing.T, ctx context.Context, base string, segs *segmentLog, n int) []time.Duration {
	t.Helper()
	select {
	case <-segs.ready:
	case <-time.After(5 * time.Second):
		t.Fatal("Chromium played without asking for a video segment")
	}
	if segs.err != nil {
		t.Fatalf("the first segment Chromium loaded: %v", segs.err)
	}
	start := segs.start
	offset := muxerOffset(t, base)
	var lat []time.Duration
	for range n {
		fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		f, err := chromedp.Run(fctx, chromedp.Evaluate[shownFrame](`new Promise(r =>
			document.getElementById("hls").requestVideoFrameCallback((_, m) => r({media: m.mediaTime, wall: Date.now()})))`,
			chromedp.EvalAwaitPromise))
		cancel()
		if err != nil {
			t.Fatalf("requestVideoFrameCallback: %v", err)
		}
		muxed := offset.Add(start + time.Duration(f.Media*float64(time.Second)))
		lat = append(lat, time.UnixMilli(int64(f.Wall)).Sub(muxed).Round(time.Millisecond))
		time.Sleep(300 * time.Millisecond)
	}
	if skipped := skippedSegment(segs.list()); skipped != "" {
		t.Logf("latency not measured: %s", skipped)
		return nil
	}
	slices.Sort(lat)
	return lat
}

// skippedSegment says where the page went on to another segment than the next one ("" if never).
func skippedSegment(urls []string) string {
	prev := -1
	for _, u := range urls {
		n, _ := strconv.Atoi(videoSegment.FindStringSubmatch(u)[1])
		if prev >= 0 && n != prev && n != prev+1 {
			return "Chromium went from segment " + strconv.Itoa(prev) + " to " + strconv.Itoa(n)
		}
		prev = n
	}
	return ""
}

// muxerOffset returns the muxer's wall clock of media time 0: the median, over the video
// playlist's segments that carry EXT-X-PROGRAM-DATE-TIME, of that less the segment's tfdt.
func muxerOffset(t *testing.T, base string) time.Time {
	t.Helper()
	video := ""
	for _, f := range playlistFiles(httpGet(t, base+"index.m3u8")) {
		if strings.HasPrefix(f, "video") {
			video = f
		}
	}
	if video == "" {
		t.Fatal("no video playlist in index.m3u8")
	}
	var offsets []time.Time
	var pdt time.Time
	sc := bufio.NewScanner(bytes.NewReader(httpGet(t, base+video)))
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "#EXT-X-PROGRAM-DATE-TIME:"); ok {
			var err error
			if pdt, err = time.Parse(time.RFC3339Nano, v); err != nil {
				t.Fatalf("PROGRAM-DATE-TIME %q: %v", v, err)
			}
			continue
		}
		// The segment's first file: its first part, or the segment itself.
		files := playlistFiles([]byte(line))
		if pdt.IsZero() || len(files) == 0 || strings.HasPrefix(line, "#EXT-X-PRELOAD-HINT") {
			continue
		}
		d, err := tfdt(httpGet(t, base+files[0]))
		if err != nil {
			t.Fatalf("%s: %v", files[0], err)
		}
		offsets = append(offsets, pdt.Add(-d))
		pdt = time.Time{}
	}
	if len(offsets) == 0 {
		t.Fatal("no PROGRAM-DATE-TIME in the video playlist")
	}
	slices.SortFunc(offsets, time.Time.Compare)
	return offsets[len(offsets)/2]
}

// tfdt returns the decode time of the first fragment of an fMP4 file of the 90 kHz video track.
func tfdt(file []byte) (time.Duration, error) {
	var parts fmp4.Parts
	if err := parts.Unmarshal(file); err != nil {
		return 0, err
	}
	if len(parts) == 0 || len(parts[0].Tracks) == 0 {
		return 0, errors.New("no fragment")
	}
	return time.Duration(parts[0].Tracks[0].BaseTime) * time.Second / 90000, nil
}

// playlistFiles returns the files a playlist names: URI lines and URI attributes.
func playlistFiles(playlist []byte) []string {
	var files []string
	for _, line := range strings.Split(string(playlist), "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			files = append(files, line)
		} else if _, rest, ok := strings.Cut(line, `URI="`); ok {
			if uri, _, ok := strings.Cut(rest, `"`); ok {
				files = append(files, uri)
			}
		}
	}
	return files
}

func httpGet(t *testing.T, url string) []byte {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v %s", url, res.StatusCode, err, b)
	}
	return b
}
