package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/whepclient"
)

// In production, a playback token from `sipcast admin playback-token` opens one stream — its
// player page in Chromium (which plays it), WHEP and LL-HLS — without the REST credentials, and
// nothing else: no token, another stream's token or a token on the REST API get 401.
func TestE2EProductionPlaybackToken(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	const secret = "a playback secret for the test"
	sipp := peers.StartSIPpUAS(t, "uas_h264_pcmu.xml")
	dataDir := t.TempDir()
	g, _ := startProduction(t, dataDir, "SIPCAST_PLAYBACK_SECRET="+secret)
	req, _ := http.NewRequest(http.MethodPost, g.rest+"/rest-api/call/startup", strings.NewReader(startupBody(map[string]any{
		"callId": "pt1", "callee": "alice", "sipDomain": "127.0.0.1", "sipPort": itoa(sipp.Port), "toStream": "tok1"})))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("admin", "admin")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("startup with credentials: %v %v", res, err)
	}
	waitLog(t, g, 15*time.Second, `"msg":"media flowing"`, `"kind":"video"`, "pt1")

	token := mintPlaybackToken(t, dataDir, secret, "tok1", "1h")
	other := mintPlaybackToken(t, dataDir, secret, "other", "1h")
	for _, c := range []struct{ method, path string }{
		{"GET", "/play/tok1"}, {"POST", "/whep/tok1"}, {"GET", "/hls/tok1/index.m3u8"},
		{"GET", "/play/tok1?token=" + other}, {"POST", "/whep/tok1?token=" + other},
		{"GET", "/play/tok1?token=" + token[:len(token)-2]},
		{"POST", "/rest-api/call/find_all?token=" + token}, {"GET", "/?token=" + token},
	} {
		if code, _, _ := authCall(t, c.method, g.rest+c.path, "", ""); code != http.StatusUnauthorized {
			t.Errorf("%s %s: %d, want 401", c.method, c.path, code)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	viewer, err := whepclient.Dial(ctx, g.rest+"/whep/tok1?token="+token, whepclient.Options{})
	if err != nil {
		t.Fatalf("WHEP with the token: %v", err)
	}
	defer viewer.Close()
	waitPackets(t, viewer, "video", 30, 15*time.Second)

	res, err := http.Get(g.rest + "/hls/tok1/index.m3u8?token=" + token)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "#EXTM3U") {
		t.Fatalf("LL-HLS with the token: %d %s", res.StatusCode, body)
	}

	// A browser with nothing but the link: the page loads, its WHEP session (the cookie the
	// token set carries it) plays video and sound.
	page := startBrowser(t)
	if _, err := chromedp.Run(page, chromedp.Navigate(g.rest+"/play/tok1?token="+token)); err != nil {
		t.Fatal(err)
	}
	s, _ := waitDecoded(t, page, 25, 8000, 30*time.Second)
	t.Logf("Chromium with the token alone decoded %+v", s)
}

// mintPlaybackToken runs `sipcast admin playback-token STREAM TTL` with the server's secret.
func mintPlaybackToken(t *testing.T, dataDir, secret, stream, ttl string) string {
	t.Helper()
	out := runAdminCLIEnv(t, []string{"SIPCAST_DATA_DIR=" + dataDir, "SIPCAST_PLAYBACK_SECRET=" + secret}, "",
		"playback-token", stream, ttl)
	return strings.TrimSpace(out)
}
