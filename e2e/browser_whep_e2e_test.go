package e2e

import (
	"context"
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

// Chromium plays every kind of call the devices make, each through WHEP with the device's own
// codec: audio only (Opus) plays sound, video only plays pictures, and baresip's VP8 + Opus
// plays untranscoded. (SIPp's looped H.264 packetization-mode 0 capture stalls after its first
// second in Chromium under load: not covered here yet.)
func TestE2EBrowserCodecs(t *testing.T) {
	peers.RequireTools(t, "sipp")
	for _, tc := range []struct {
		name            string
		device          func(t *testing.T) string
		kinds           []string
		frames, samples int
		width           int
	}{
		{"audio only Opus", sippDevice("uas_opus.xml"), []string{"audio"}, 0, 48000, 0},
		{"video only H.264", sippDevice("uas_h264_only.xml"), []string{"video"}, 50, 0, 640},
		{"baresip VP8 + Opus", baresipDevice("opus/48000/2", "VP8"), []string{"video", "audio"}, 20, 48000, 0},
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
			s, _ := waitDecoded(t, ctx, tc.frames, tc.samples, 30*time.Second)
			if tc.width != 0 && s.FrameWidth != tc.width {
				t.Errorf("frame width %d, want %d", s.FrameWidth, tc.width)
			}
			if tc.frames == 0 && s.FramesDecoded != 0 {
				t.Errorf("an audio-only call decoded %d video frames", s.FramesDecoded)
			}
			if tc.samples == 0 && s.TotalSamplesReceived != 0 {
				t.Errorf("a video-only call received %d audio samples", s.TotalSamplesReceived)
			}
			t.Logf("decoded %+v", s)
		})
	}
}
