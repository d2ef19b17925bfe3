package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/whepclient"
)

// A stream takes SIPCAST_MAX_VIEWERS viewers and answers the next with 503 (counted by reason);
// a browser that vanishes — Chromium killed, no DELETE, no DTLS close — is timed out by ICE
// while the other viewer never misses a beat, and its place is free again afterwards.
func TestE2EWHEPViewerLimitAndVanishedViewer(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	// A device that replays its capture until the BYE: the test outlasts one capture's 15 s.
	sipp := peers.StartSIPpUAS(t, "uas_h264_only.xml")
	g := startWatchable(t, "alice", itoa(sipp.Port), "lim1", "limit1", []string{"video"}, "SIPCAST_MAX_VIEWERS=2")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	steady, err := whepclient.Dial(ctx, g.rest+"/whep/limit1", whepclient.Options{})
	if err != nil {
		t.Fatalf("first viewer: %v", err)
	}
	defer steady.Close()
	video := waitPackets(t, steady, "video", 30, 15*time.Second)

	page, kill := startKillableBrowser(t)
	if _, err := chromedp.Run(page, chromedp.Navigate(g.rest+"/play/limit1")); err != nil {
		t.Fatal(err)
	}
	waitDecoded(t, page, 10, 0, 30*time.Second)

	_, err = whepclient.Dial(ctx, g.rest+"/whep/limit1", whepclient.Options{})
	var se *whepclient.StatusError
	if !errors.As(err, &se) || se.Code != http.StatusServiceUnavailable || !strings.Contains(se.Body, "too many viewers") {
		t.Fatalf("third viewer: %v, want 503 too many viewers", err)
	}
	if m := g.metrics(t); m[`sipcast_whep_refused_total{reason="too_many_viewers"}`] != "1" {
		t.Errorf("refusals by reason: %q, want 1", m[`sipcast_whep_refused_total{reason="too_many_viewers"}`])
	}

	// The browser vanishes. Until ICE gives up on it, the steady viewer keeps its full rate.
	killed := time.Now()
	kill()
	var perSecond []uint64
	for range 4 {
		before := video.Packets.Load()
		time.Sleep(time.Second)
		perSecond = append(perSecond, video.Packets.Load()-before)
	}
	for _, n := range perSecond {
		if n < 10 {
			t.Errorf("the steady viewer's video packets per second after the kill: %v", perSecond)
			break
		}
	}
	waitLog(t, g, 30*time.Second, `"msg":"viewer session closed"`, `"why":"connection failed"`)
	t.Logf("the vanished browser's session closed %v after the kill; steady viewer's video packets per second meanwhile %v",
		time.Since(killed).Round(100*time.Millisecond), perSecond)
	if gaps := video.SeqGaps.Load(); gaps > 5 {
		t.Errorf("the steady viewer saw %d sequence gaps", gaps)
	}

	// The place the browser held is free again.
	again, err := whepclient.Dial(ctx, g.rest+"/whep/limit1", whepclient.Options{})
	if err != nil {
		t.Fatalf("a viewer after the vanished one was timed out: %v", err)
	}
	defer again.Close()
	waitPackets(t, again, "video", 30, 15*time.Second)
	if m := g.metrics(t); m["sipcast_whep_viewers"] != "2" {
		t.Errorf("sipcast_whep_viewers %q, want 2", m["sipcast_whep_viewers"])
	}
}
