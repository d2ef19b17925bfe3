package e2e

import (
	"context"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/testutil"
	"github.com/sipcast/sipcast/internal/whepclient"
)

// The WebRTC port taken by another program: a dev gateway runs without WebRTC, says so in its
// log and answers WHEP with 503 and why (not a 404 that reads as "no such stream"); a production
// gateway refuses to start and names the setting.
func TestE2EWebRTCPortTaken(t *testing.T) {
	t.Parallel()
	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := strconv.Itoa(taken.LocalAddr().(*net.UDPAddr).Port)

	g := startGateway(t, "SIPCAST_WEBRTC_UDP_PORT="+port)
	waitLog(t, g, 5*time.Second, `"msg":"WebRTC playback off"`)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = whepclient.Dial(ctx, g.rest+"/whep/any", whepclient.Options{})
	var se *whepclient.StatusError
	if !errors.As(err, &se) || se.Code != http.StatusServiceUnavailable || !strings.Contains(se.Body, "WebRTC is off") {
		t.Errorf("WHEP on a dev gateway without WebRTC: %v, want 503 WebRTC is off", err)
	}
	if code, _ := g.post("/call/find_all", `{}`); code != http.StatusNotFound {
		t.Errorf("the REST API of a dev gateway without WebRTC: find_all %d, want 404 (no calls)", code)
	}

	dir := t.TempDir()
	_, err = testutil.Start(context.Background(), testutil.Options{
		Bin: sipcastBinary(t), LogPath: filepath.Join(dir, "sipcast.log"),
		RESTPort: peers.FreeTCPPort(t), SIPPort: peers.FreeUDPPort(t), StartTimeout: 30 * time.Second,
		Env: []string{"SIPCAST_PROFILE=production", "SIPCAST_HTTPS_PORT=off", "SIPCAST_SIP_TLS_PORT=off",
			"SIPCAST_WEBRTC_UDP_PORT=" + port, "SIPCAST_DATA_DIR=" + filepath.Join(dir, "data")},
	})
	if !errors.Is(err, testutil.ErrNotReady) || !strings.Contains(err.Error(), "exited at start") || !strings.Contains(err.Error(), port) {
		t.Errorf("production with the WebRTC port taken: %v, want an exit naming port %s", err, port)
	}
}
