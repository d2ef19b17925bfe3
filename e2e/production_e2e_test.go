package e2e

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/api"
	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/testutil"
)

// prodRoutes is every route a client could call; none may answer without credentials.
var prodRoutes = []struct{ method, path string }{
	{"POST", "/rest-api/call/startup"}, {"POST", "/rest-api/call/find"}, {"POST", "/rest-api/call/find_all"},
	{"POST", "/rest-api/call/terminate"}, {"POST", "/rest-api/call/send_dtmf"}, {"POST", "/rest-api/push/startup"},
	{"POST", "/rest-api/push/find"}, {"POST", "/rest-api/push/find_all"}, {"POST", "/rest-api/push/terminate"},
	{"POST", "/rest-api/push/mute"}, {"POST", "/rest-api/push/unmute"}, {"POST", "/rest-api/push/sound_on"},
	{"POST", "/rest-api/push/sound_off"}, {"GET", "/rest-api/events"}, {"GET", "/rest-api/openapi.json"},
	{"GET", "/healthz"}, {"GET", "/metrics"}, {"POST", "/rest-api/nope"},
}

// insecure is a client that accepts the self-signed certificate, like curl -k.
var insecure = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
	TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the test's own self-signed server
}}

func startProduction(t *testing.T, dataDir string, env ...string) (*gateway, string) {
	t.Helper()
	httpsPort := peers.FreeTCPPort(t)
	g := startGateway(t, append([]string{"SIPCAST_PROFILE=production", "SIPCAST_DATA_DIR=" + dataDir,
		"SIPCAST_HTTPS_PORT=" + strconv.Itoa(httpsPort)}, env...)...)
	// The start is ready once plain REST answers; the HTTPS listener comes a moment later.
	httpsAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(httpsPort))
	testutil.WaitFor(t, 10*time.Second, "HTTPS listening", func() bool {
		c, err := net.DialTimeout("tcp", httpsAddr, time.Second)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	})
	return g, "https://127.0.0.1:" + strconv.Itoa(httpsPort)
}

func authCall(t *testing.T, method, url, user, pass string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(`{"callId":"x","dtmf":"1","callee":"a","sipDomain":"h"}`))
	req.Header.Set("Content-Type", "application/json")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	res, err := insecure.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	return res.StatusCode, res.Header, b
}

// The production profile: nothing answers without credentials on HTTP or HTTPS; curl -k with
// admin:admin works over HTTPS; the self-signed certificate is kept in the data directory and
// survives a restart; `sipcast admin set-password` takes effect without one.
func TestE2EProduction(t *testing.T) {
	peers.RequireTools(t, "curl")
	t.Parallel()
	dataDir := t.TempDir()
	g, https := startProduction(t, dataDir)
	for _, base := range []string{g.rest, https} {
		for _, r := range prodRoutes {
			code, h, body := authCall(t, r.method, base+r.path, "", "")
			var e api.ErrorBody
			if code != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic ") ||
				json.Unmarshal(body, &e) != nil || e.Status != 401 {
				t.Fatalf("%s %s%s without credentials: %d %s", r.method, base, r.path, code, body)
			}
		}
		if code, _, _ := authCall(t, "GET", base+"/healthz", "admin", "wrong"); code != http.StatusUnauthorized {
			t.Fatalf("%s: wrong password: %d", base, code)
		}
	}
	if strings.Contains(g.logs(), `"wrong"`) {
		t.Fatal("a password reached the log")
	}
	// curl -k, as an operator would.
	out, err := exec.Command("curl", "-sk", "-u", "admin:admin", "-w", " %{http_code}", https+"/healthz").CombinedOutput()
	if err != nil || string(out) != `{"status":"UP"} 200` {
		t.Fatalf("curl -k: %s %v", out, err)
	}
	out, err = exec.Command("curl", "-sk", "-u", "admin:admin", "-X", "POST", "-w", " %{http_code}", https+"/rest-api/call/find_all").CombinedOutput()
	if err != nil || !strings.HasSuffix(string(out), " 404") || !strings.Contains(string(out), `"status":404`) {
		t.Fatalf("curl -k find_all: %s %v", out, err)
	}

	// The certificate the server shows is the data directory's.
	served := servedFingerprint(t, strings.TrimPrefix(https, "https://"))
	pemBytes, err := os.ReadFile(filepath.Join(dataDir, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil || served != sha256hex(block.Bytes) {
		t.Fatalf("served certificate %s is not the data directory's", served)
	}

	// A new password, without a restart: the old one stops working, the new one works, on both.
	pid := g.cmd.Process.Pid
	runAdminCLI(t, dataDir, "correct horse battery\n", "set-password")
	deadline := time.Now().Add(5 * time.Second)
	for {
		oldCode, _, _ := authCall(t, "GET", https+"/healthz", "admin", "admin")
		newCode, _, _ := authCall(t, "GET", g.rest+"/healthz", "admin", "correct horse battery")
		if oldCode == http.StatusUnauthorized && newCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("set-password not in effect: old %d, new %d", oldCode, newCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if code, _, _ := authCall(t, "POST", https+"/rest-api/call/find_all", "admin", "correct horse battery"); code != http.StatusNotFound {
		t.Fatalf("new password over HTTPS: %d", code)
	}
	if g.cmd.Process.Pid != pid || g.cmd.ProcessState != nil {
		t.Fatal("the server restarted")
	}

	// Restart on the same data directory: the same certificate, and the stored password.
	g.stop()
	g2, https2 := startProduction(t, dataDir)
	if got := servedFingerprint(t, strings.TrimPrefix(https2, "https://")); got != served {
		t.Fatalf("certificate changed across a restart: %s → %s", served, got)
	}
	if code, _, _ := authCall(t, "GET", g2.rest+"/healthz", "admin", "correct horse battery"); code != http.StatusOK {
		t.Fatalf("stored password after restart: %d", code)
	}
}

// A client that keeps guessing is throttled: 429 with Retry-After, even for the right password,
// on both listeners; another client is not.
func TestE2EProductionThrottle(t *testing.T) {
	peers.RequireTools(t, "curl")
	t.Parallel()
	g := startGateway(t, "SIPCAST_PROFILE=production", "SIPCAST_DATA_DIR="+t.TempDir(), "SIPCAST_HTTPS_PORT=off",
		"SIPCAST_AUTH_MAX_FAILURES=3")
	for i := 0; i < 3; i++ {
		if code, _, _ := authCall(t, "GET", g.rest+"/healthz", "admin", "guess"+strconv.Itoa(i)); code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	code, h, body := authCall(t, "GET", g.rest+"/healthz", "admin", "admin")
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(string(body), `"status":429`) {
		t.Fatalf("throttled client: %d %v %s", code, h, body)
	}
	out, err := exec.Command("curl", "-s", "--interface", "127.0.0.2", "-u", "admin:admin", "-w", " %{http_code}", g.rest+"/healthz").CombinedOutput()
	if err != nil || !strings.HasSuffix(string(out), " 200") {
		t.Fatalf("another client: %s %v", out, err)
	}
}

func servedFingerprint(t *testing.T, addr string) string {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // reading the certificate
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return sha256hex(conn.ConnectionState().PeerCertificates[0].Raw)
}

func sha256hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
