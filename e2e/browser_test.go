package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sipcast/sipcast/bench/peers"
)

// chromiumPath is Debian's chromium (TEST_PKGS): the tests never let a tool fetch its own browser.
const chromiumPath = "/usr/bin/chromium"

// startBrowser runs headless Chromium with a fresh profile, kept off every network but loopback:
// no background services, no QUIC, host names resolve to nothing but 127.0.0.1.
func startBrowser(t testing.TB) context.Context {
	t.Helper()
	ctx, _ := startKillableBrowser(t)
	return ctx
}

// startKillableBrowser is startBrowser with a kill switch: kill ends the Chromium process at once
// (SIGKILL through the allocator's context), as when a laptop lid closes or a tab crashes.
func startKillableBrowser(t testing.TB) (context.Context, func()) {
	t.Helper()
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), browserOptions(t)...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if _, err := chromedp.Run(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return ctx, cancelAlloc
}

// browserOptions are startBrowser's flags, with a fresh profile in t's temporary directory.
func browserOptions(t testing.TB) []chromedp.ExecAllocatorOption {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		peers.RequireTools(t, "chromium")
	}
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
		chromedp.Flag("headless", "new"),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
	}
}

// mediaStats is what the page's players decoded (getStats: framesDecoded, totalSamplesReceived).
type mediaStats struct {
	FramesDecoded        int `json:"framesDecoded"`
	TotalSamplesReceived int `json:"totalSamplesReceived"`
	FrameWidth           int `json:"frameWidth"`
	Players              int `json:"players"`
}

func pageStats(ctx context.Context) (mediaStats, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[mediaStats](`window.sipcast.mediaStats()`, chromedp.EvalAwaitPromise))
}

// waitDecoded polls the page until it decoded at least frames video frames and samples audio
// samples, and returns the stats and when that happened.
func waitDecoded(t testing.TB, ctx context.Context, frames, samples int, within time.Duration) (mediaStats, time.Time) {
	t.Helper()
	deadline := time.Now().Add(within)
	var s mediaStats
	var err error
	for time.Now().Before(deadline) {
		if s, err = pageStats(ctx); err == nil && s.FramesDecoded >= frames && s.TotalSamplesReceived >= samples {
			return s, time.Now()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("within %v: decoded %+v (err %v), want %d frames and %d samples", within, s, err, frames, samples)
	return s, time.Time{}
}

// heardTone listens to the audio the page's first player receives, through WebAudio (headless
// Chromium plays to no device, so getStats' audio energy stays 0): the level (RMS, full scale 1)
// and the loudest frequency over about half a second.
func heardTone(t *testing.T, ctx context.Context) (rms, hz float64) {
	t.Helper()
	type tone struct {
		RMS float64 `json:"rms"`
		Hz  float64 `json:"hz"`
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[tone](`(async () => {
		const tr = window.sipcast.players[0].pc.getReceivers().map((r) => r.track).find((t) => t.kind === "audio");
		const ac = new AudioContext();
		const an = ac.createAnalyser();
		an.fftSize = 8192;
		ac.createMediaStreamSource(new MediaStream([tr])).connect(an);
		await new Promise((r) => setTimeout(r, 600));
		const wave = new Float32Array(an.fftSize), spectrum = new Float32Array(an.frequencyBinCount);
		an.getFloatTimeDomainData(wave);
		an.getFloatFrequencyData(spectrum);
		let e = 0, peak = 0;
		for (const v of wave) e += v * v;
		spectrum.forEach((v, i) => { if (v > spectrum[peak]) peak = i; });
		const out = { rms: Math.sqrt(e / wave.length), hz: peak * ac.sampleRate / an.fftSize };
		ac.close();
		return out;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("listening to the player: %v", err)
	}
	return got.RMS, got.Hz
}

// screenshot saves the page as PNG (quality 100: PNG, not JPEG) in the test's directory, and where SIPCAST_SCREENSHOTS says
// (to look at it).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dirs := []string{t.TempDir()}
	if d := os.Getenv("SIPCAST_SCREENSHOTS"); d != "" {
		dirs = append(dirs, d)
	}
	for _, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshot %s: %d bytes", name, len(png))
}
