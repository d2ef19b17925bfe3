package e2e

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sipcast/sipcast/bench/peers"
)

// Chromium plays a running H.264 + PCMU call over WHEP on the player page: it decodes video
// frames and audio samples (its own getStats counters), at the call's picture size.
func TestE2EBrowserWHEP(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	g := startWatchableCall(t, "uas_h264_pcmu.xml", "b1", "browser1")
	ctx := startBrowser(t)
	start := time.Now()
	if _, err := chromedp.Run(ctx, chromedp.Navigate(g.rest+"/play/browser1")); err != nil {
		t.Fatal(err)
	}
	first, at := waitDecoded(t, ctx, 1, 1, 20*time.Second)
	t.Logf("first decoded frame %v after opening the player", at.Sub(start))
	s, _ := waitDecoded(t, ctx, first.FramesDecoded+50, 8000, 20*time.Second)
	if s.FrameWidth != 640 {
		t.Errorf("frame width %d, want the call's 640", s.FrameWidth)
	}
	screenshot(t, ctx, "player.png")
}

// The calls page lists a live call and plays its muted preview, live from the event stream: a
// call started after the page opened appears and plays without a reload.
func TestE2EBrowserCallsPage(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	g := startGateway(t, "SIPCAST_WEBRTC_UDP_PORT="+itoa(peers.FreeUDPPort(t)))
	ctx := startBrowser(t)
	if _, err := chromedp.Run(ctx, chromedp.Navigate(g.rest+"/")); err != nil {
		t.Fatal(err)
	}
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if _, err := chromedp.Run(tctx, chromedp.WaitVisible("#empty")); err != nil {
		t.Fatalf("empty page: %v", err)
	}
	cancel()
	screenshot(t, ctx, "calls-empty.png")
	if code, res := g.post("/call/startup", startupBody(map[string]any{"callId": "p1", "callee": "alice",
		"sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port), "toStream": "page1"})); code != 200 {
		t.Fatalf("startup: %d %s", code, res)
	}
	tctx, cancel = context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(tctx, chromedp.WaitVisible(`article[data-call-id="p1"][data-status="ESTABLISHED"]`)); err != nil {
		t.Fatalf("the call never showed as ESTABLISHED: %v", err)
	}
	waitDecoded(t, ctx, 30, 1, 20*time.Second)
	time.Sleep(1500 * time.Millisecond) // a ticking duration and a few more frames in the picture
	screenshot(t, ctx, "calls.png")
	if code, _ := g.post("/call/terminate", `{"callId":"p1"}`); code != 200 {
		t.Fatalf("terminate: %d", code)
	}
	tctx2, cancel2 := context.WithTimeout(ctx, 15*time.Second)
	defer cancel2()
	if _, err := chromedp.Run(tctx2, chromedp.WaitVisible(`article[data-call-id="p1"][data-status="FINISH"]`)); err != nil {
		t.Fatalf("the ended call never showed FINISH: %v", err)
	}
}

// Chromium plays every kind of call the devices make, each through WHEP: audio only (Opus)
// plays sound, video only plays pictures, H.264 sent in packetization-mode 0 plays
// re-packetised as mode 1 and keeps playing through the device's restarts (SIPp replays its
// capture every 15.5 s, sequence numbers and timestamps back to the start), Speex, which
// browsers lack, plays as Opus, and baresip's VP8 + Opus plays untranscoded.
func TestE2EBrowserCodecs(t *testing.T) {
	peers.RequireTools(t, "sipp")
	for _, tc := range []struct {
		name            string
		device          func(t *testing.T) string
		kinds           []string
		frames, samples int
		width           int
		// tone is the frequency of the device's test tone, which the player must hear.
		tone float64
		// sustained: after the first picture, two windows of sustainWindow each decode at least
		// sustainFrames more (half the capture's 25 fps): one of them spans a device restart.
		sustained bool
	}{
		{"audio only Opus", sippDevice("uas_opus.xml"), []string{"audio"}, 0, 48000, 0, 660, false},
		{"video only H.264", sippDevice("uas_h264_only.xml"), []string{"video"}, 50, 0, 640, 0, false},
		{"H.264 mode 0 + PCMA, looped", sippDevice("uas_h264m0_loop.xml"), []string{"video", "audio"}, 1, 8000, 640, 440, true},
		{"Speex wideband as Opus", sippDevice("uas_speex_loop.xml"), []string{"audio"}, 0, 96000, 0, 440, false},
		{"baresip VP8 + Opus", baresipDevice("opus/48000/2", "VP8"), []string{"video", "audio"}, 20, 48000, 0, 440, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.HasPrefix(tc.name, "baresip") {
				peers.RequireTools(t, "baresip")
			}
			callee := "alice"
			if strings.HasPrefix(tc.name, "baresip") {
				callee = "bob"
			}
			g := startWatchable(t, callee, tc.device(t), "k1", "kinds", tc.kinds)
			ctx := startBrowser(t)
			if _, err := chromedp.Run(ctx, chromedp.Navigate(g.rest+"/play/kinds")); err != nil {
				t.Fatal(err)
			}
			s, at := waitDecoded(t, ctx, tc.frames, tc.samples, 30*time.Second)
			if tc.width != 0 && s.FrameWidth != tc.width {
				t.Errorf("frame width %d, want %d", s.FrameWidth, tc.width)
			}
			if tc.frames == 0 && s.FramesDecoded != 0 {
				t.Errorf("an audio-only call decoded %d video frames", s.FramesDecoded)
			}
			if tc.samples == 0 && s.TotalSamplesReceived != 0 {
				t.Errorf("a video-only call received %d audio samples", s.TotalSamplesReceived)
			}
			if tc.tone != 0 {
				// Within two bins of the analyser (5.9 Hz each at 48 kHz), at the level of the
				// devices' tones (1/8 of full scale: RMS 0.088).
				if rms, hz := heardTone(t, ctx); rms < 0.02 || math.Abs(hz-tc.tone) > 12 {
					t.Errorf("heard %.0f Hz at RMS %.3f, want the device's %.0f Hz tone", hz, rms, tc.tone)
				} else {
					t.Logf("heard %.0f Hz at RMS %.3f", hz, rms)
				}
			}
			if tc.sustained {
				s = keepsDecoding(t, ctx, s, at)
			}
			t.Logf("decoded %+v", s)
		})
	}
}

const (
	sustainWindow = 8 * time.Second
	sustainFrames = 100
)

// keepsDecoding checks that the player goes on decoding pictures after from (taken at at): at
// least sustainFrames in each of two windows of sustainWindow. The two windows cover the 15.5 s
// after a call's first picture, and so at least one restart of a SIPp device that loops its
// 15 s capture.
func keepsDecoding(t *testing.T, ctx context.Context, from mediaStats, at time.Time) mediaStats {
	t.Helper()
	for w := 1; w <= 2; w++ {
		time.Sleep(time.Until(at.Add(time.Duration(w) * sustainWindow)))
		s, err := pageStats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.FramesDecoded - from.FramesDecoded; got < sustainFrames {
			t.Fatalf("window %d: %d frames decoded in %v (from %d to %d), want at least %d: the picture stalled",
				w, got, sustainWindow, from.FramesDecoded, s.FramesDecoded, sustainFrames)
		}
		t.Logf("window %d: %d frames decoded in %v", w, s.FramesDecoded-from.FramesDecoded, sustainWindow)
		from = s
	}
	return from
}
