package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// appReceiver is an app as the spec's callApp: a real HTTP server (in the test process) that
// records every notification POSTed to it, or hangs on each until the test ends.
type appReceiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []notification
	hang chan struct{} // set before use: requests wait until it closes
}

type notification struct {
	path   string
	header http.Header
	body   []byte
	call   callapi.Call
	at     time.Time
}

func newAppReceiver(t *testing.T, hang bool) *appReceiver {
	t.Helper()
	r := &appReceiver{}
	if hang {
		r.hang = make(chan struct{})
	}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		n := notification{path: req.URL.Path, header: req.Header.Clone(), body: body, at: time.Now()}
		_ = json.Unmarshal(body, &n.call)
		r.mu.Lock()
		r.got = append(r.got, n)
		r.mu.Unlock()
		if r.hang != nil {
			select {
			case <-r.hang:
			case <-req.Context().Done():
			}
		}
	}))
	t.Cleanup(func() {
		if r.hang != nil {
			close(r.hang)
		}
		r.srv.Close()
	})
	return r
}

func (r *appReceiver) URL() string { return r.srv.URL }

func (r *appReceiver) received() []notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]notification(nil), r.got...)
}

// waitFor polls until cond holds for what was received.
func (r *appReceiver) waitFor(t *testing.T, within time.Duration, what string, cond func([]notification) bool) []notification {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := r.received()
		if cond(got) {
			return got
		}
		if time.Now().After(deadline) {
			var statuses []string
			for _, n := range got {
				statuses = append(statuses, n.call.CallID+":"+n.call.Status)
			}
			t.Fatalf("app receiver: %s not reached within %v; got %v", what, within, statuses)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hasStatus is a waitFor condition: a notification of callID with status came.
func hasStatus(callID, status string) func([]notification) bool {
	return func(got []notification) bool {
		for _, n := range got {
			if n.call.CallID == callID && n.call.Status == status {
				return true
			}
		}
		return false
	}
}

// sseEvent is one event of /rest-api/events.
type sseEvent struct {
	id, name string
	data     []byte
}

// subscribe opens /rest-api/events?callId= and returns its events; it returns once the stream
// is open, so no event of a call started after it is missed.
func (g *gateway) subscribe(t *testing.T, callID string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", g.rest+"/rest-api/events?callId="+callID, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %v", res.StatusCode, res.Header)
	}
	r := bufio.NewReader(res.Body)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, ":") {
		t.Fatalf("events: first line %q %v", line, err)
	}
	out := make(chan sseEvent, 64)
	go func() {
		defer close(out)
		defer res.Body.Close()
		var ev sseEvent
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				if ev.name != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = append(ev.data, line[6:]...)
			}
		}
	}()
	return out
}

// runAdmin runs `sipcast admin ARGS` on dataDir with stdin.
func runAdminCLI(t *testing.T, dataDir, stdin string, args ...string) string {
	t.Helper()
	return runAdminCLIEnv(t, []string{"SIPCAST_DATA_DIR=" + dataDir}, stdin, args...)
}

// runAdminCLIEnv runs `sipcast admin ARGS` with env added to the test's environment.
func runAdminCLIEnv(t *testing.T, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(sipcastBinary(t), append([]string{"admin"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sipcast admin %v: %v\n%s", args, err, out)
	}
	return string(out)
}
