package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sipcast/sipcast/bench/peers"
)

// The call's toStream as LL-HLS from sipcast itself: the playlist is Low-Latency (parts), ffprobe
// reads H.264 640x360 + AAC from it (the RTMP path's own frames), and Chromium plays it natively
// in a <video> (getVideoPlaybackQuality) within seconds of the muxer's start, while the
// playlist still opens with gap segments; its live latency is logged. An unknown stream is 404.
func TestE2ELLHLS(t *testing.T) {
	peers.RequireTools(t, "sipp", "ffprobe")
	t.Parallel()
	g := startWatchableCall(t, "uas_h264_pcmu.xml", "h1", "hls1")
	url := g.rest + "/hls/hls1/index.m3u8"
	start := time.Now()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "#EXTM3U") {
		t.Fatalf("playlist: %d %s", res.StatusCode, body)
	}
	t.Logf("first playlist after %v", time.Since(start))
	streams, err := peers.Probe(probeCtx(t, 30*time.Second), url)
	if err != nil {
		t.Fatalf("ffprobe: %v", err)
	}
	var video, audio bool
	for _, s := range streams {
		video = video || (s.Type == "video" && s.Codec == "h264" && s.Width == 640 && s.Height == 360)
		audio = audio || (s.Type == "audio" && s.Codec == "aac")
	}
	if !video || !audio {
		t.Fatalf("streams %+v, want h264 640x360 and aac", streams)
	}
	if r, err := http.Get(g.rest + "/hls/nosuch/index.m3u8"); err != nil || r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown stream: %v %v", r, err)
	}

	ctx := startBrowser(t)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(g.rest+"/healthz")); err != nil {
		t.Fatal(err)
	}
	can, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.createElement("video").canPlayType("application/vnd.apple.mpegurl")`))
	if err != nil || can == "" {
		t.Skipf("this Chromium does not play HLS natively (canPlayType %q, %v)", can, err)
	}
	segs := watchSegments(t, ctx)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`(() => {
		const v = document.createElement("video");
		v.muted = true; v.autoplay = true; v.id = "hls"; v.src = "/hls/hls1/index.m3u8";
		document.body.append(v); v.play().catch(() => {});
	})()`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	var frames int
	for time.Now().Before(deadline) {
		frames, err = chromedp.Run(ctx, chromedp.Evaluate[int](`document.getElementById("hls").getVideoPlaybackQuality().totalVideoFrames`))
		if err == nil && frames >= 50 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if frames < 50 {
		errText, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`String(document.getElementById("hls").error && document.getElementById("hls").error.message)`))
		t.Fatalf("Chromium played %d frames of the LL-HLS stream (err %v, media error %s)", frames, err, errText)
	}
	lag, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => { const v = document.getElementById("hls");
		return v.buffered.length ? v.buffered.end(v.buffered.length-1) - v.currentTime : -1 })()`))
	t.Logf("Chromium played %d frames; %.2f s buffered ahead of the playhead", frames, lag)
	lat := hlsLatency(t, ctx, g.rest+"/hls/hls1/", segs, 5)
	if lat == nil {
		return
	}
	t.Logf("LL-HLS live latency in Chromium (a frame into sipcast's muxer → that frame on screen): min %v, median %v, max %v",
		lat[0], lat[len(lat)/2], lat[len(lat)-1])
	// The playlist holds 7 one-second segments: a player further behind started at its
	// oldest, not at the live edge.
	if lat[len(lat)/2] > 7*time.Second {
		t.Fatalf("Chromium plays %v behind the gateway", lat[len(lat)/2])
	}
}
