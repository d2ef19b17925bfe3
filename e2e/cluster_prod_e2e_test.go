package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/internal/testutil"
)

// In production every node asks for credentials, other nodes included: a node that presents
// the REST user (cluster_user/cluster_password) reaches another's calls; one that does not gets
// a 503 that names the setting, never the other node's 401 passed on as the client's.
func TestE2EClusterProduction(t *testing.T) {
	peers.RequireTools(t, "sipp", peers.EtcdBinary)
	t.Parallel()
	etcd := peers.StartEtcd(t)
	sipp := peers.StartSIPpUAS(t, "uas_answer.xml", peers.WithCalls(2))
	node := func(id string, creds ...string) *gateway {
		return startGateway(t, append([]string{"SIPCAST_PROFILE=production", "SIPCAST_HTTPS_PORT=off",
			"SIPCAST_CLUSTER_ETCD=" + etcd.Endpoint(), "SIPCAST_NODE_ID=" + id, "SIPCAST_CLUSTER_TTL=2s"}, creds...)...)
	}
	a := node("a", "SIPCAST_CLUSTER_USER=admin", "SIPCAST_CLUSTER_PASSWORD=admin") // the default production user
	b := node("b")
	start := func(g *gateway, id string) {
		t.Helper()
		body := fmt.Sprintf(`{"callId":%q,"callee":"alice","sipDomain":"127.0.0.1","sipPort":"%d","toStream":"st-%s"}`, id, sipp.Port, id)
		if code, _, res := authPost(t, g.rest+"/rest-api/call/startup", body); code != http.StatusOK {
			t.Fatalf("startup %s: %d %s", id, code, res)
		}
	}
	start(a, "ca")
	start(b, "cb")
	// a presents credentials: b's call is found through a.
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _, res := authPost(t, a.rest+"/rest-api/call/find", `{"callId":"cb"}`)
		if code == http.StatusOK && strings.Contains(string(res), `"nodeId":"b"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("find cb through a: %d %s", code, res)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// b presents none: a refuses it, and b says why.
	code, _, res := authPost(t, b.rest+"/rest-api/call/find", `{"callId":"ca"}`)
	if code != http.StatusServiceUnavailable || !strings.Contains(string(res), "SIPCAST_CLUSTER_USER") {
		t.Fatalf("find ca through b without cluster credentials: %d %s, want 503 naming the setting", code, res)
	}
	for _, g := range []*gateway{a, b} {
		for _, id := range []string{"ca", "cb"} {
			authPost(t, g.rest+"/rest-api/call/terminate", `{"callId":"`+id+`"}`)
		}
	}
}

func authPost(t *testing.T, url, body string) (int, http.Header, []byte) {
	t.Helper()
	return authCallBody(t, url, body, "admin", "admin")
}

func authCallBody(t *testing.T, url, body, user, pass string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(user, pass)
	res, err := insecure.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil || b.Len() > 1<<20 {
			break
		}
	}
	return res.StatusCode, res.Header, []byte(b.String())
}

// etcd unreachable at start: the node does not run alone (that would break the uniqueness the
// other nodes rely on); it exits with an error naming the setting, in production as in dev.
func TestE2EClusterEtcdUnreachable(t *testing.T) {
	t.Parallel()
	for _, profile := range []string{"production", "dev"} {
		dir := t.TempDir()
		_, err := testutil.Start(context.Background(), testutil.Options{
			Bin: sipcastBinary(t), LogPath: filepath.Join(dir, "sipcast.log"),
			RESTPort: peers.FreeTCPPort(t), SIPPort: peers.FreeUDPPort(t), StartTimeout: 30 * time.Second,
			Env: []string{"SIPCAST_PROFILE=" + profile, "SIPCAST_HTTPS_PORT=off", "SIPCAST_SIP_TLS_PORT=off",
				"SIPCAST_WEBRTC_UDP_PORT=" + strconv.Itoa(peers.FreeUDPPort(t)),
				"SIPCAST_DATA_DIR=" + filepath.Join(dir, "data"),
				"SIPCAST_CLUSTER_ETCD=http://127.0.0.1:" + strconv.Itoa(peers.FreeTCPPort(t))},
		})
		if !errors.Is(err, testutil.ErrNotReady) || !strings.Contains(err.Error(), "exited at start") ||
			!strings.Contains(err.Error(), "cannot join the cluster (SIPCAST_CLUSTER_ETCD=") {
			t.Errorf("%s: start without etcd: %v, want an exit naming SIPCAST_CLUSTER_ETCD", profile, err)
		}
	}
}
