package clusterfront

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/internal/cluster"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Unit tests with fakes: this node's engine (fakeLocal), the membership (fakeMembers) and the
// other nodes (HTTP servers that record what they are asked). The real thing, three sipcast
// processes on etcd, is e2e/cluster_e2e_test.go.

type fakeLocal struct {
	calls []callapi.Call
	full  bool
}

func (l *fakeLocal) StartCall(_ context.Context, s callapi.Startup) (callapi.Call, error) {
	if l.full {
		return callapi.Call{}, fmt.Errorf("%w: full", registry.ErrFull)
	}
	return callapi.Call{CallID: s.CallID, NodeID: callapi.Str("a")}, nil
}

func (l *fakeLocal) Find(_ context.Context, filter map[string]any) ([]callapi.Call, error) {
	var out []callapi.Call
	for _, c := range l.calls {
		if id, ok := filter["callId"]; !ok || id == c.CallID {
			out = append(out, c)
		}
	}
	return out, nil
}

func (l *fakeLocal) Terminate(_ context.Context, id string) error {
	return fmt.Errorf("%w: no call with callId %q", callapi.ErrNotFound, id)
}

func (l *fakeLocal) SendDTMF(_ context.Context, id, _, _ string) (string, error) {
	return "", fmt.Errorf("%w: no call with callId %q", callapi.ErrNotFound, id)
}

func (l *fakeLocal) StartPush(context.Context, callapi.PushStart, *frame.Sound) (callapi.Push, error) {
	return callapi.Push{MediaSessionID: "local"}, nil
}

func (l *fakeLocal) FindPushes(context.Context, string, string) ([]callapi.Push, error) {
	return nil, nil
}

func (l *fakeLocal) PushCommand(_ context.Context, id string, _ callapi.PushOp, _ *frame.Sound) (callapi.Push, error) {
	return callapi.Push{}, fmt.Errorf("%w: no push with mediaSessionId %q", callapi.ErrNotFound, id)
}

type fakeMembers struct {
	nodes  []cluster.NodeInfo
	owners map[string]cluster.Owner
}

func (m *fakeMembers) ID() string { return "a" }

func (m *fakeMembers) Lookup(_ context.Context, k cluster.Key) (cluster.Owner, bool, error) {
	o, ok := m.owners[string(k.Kind)+"/"+k.Value]
	return o, ok, nil
}

func (m *fakeMembers) Nodes(context.Context) ([]cluster.NodeInfo, error) { return m.nodes, nil }

// peer is another node: it answers every path with status and body, and records the requests.
type peer struct {
	*httptest.Server
	mu     sync.Mutex
	seen   []string // path + " " + body
	local  []string // the HeaderLocal of each request
	auth   []string
	answer func(path string) (int, string)
}

func newPeer(t *testing.T, answer func(path string) (int, string)) *peer {
	p := &peer{answer: answer}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		user, pass, _ := r.BasicAuth()
		p.mu.Lock()
		p.seen = append(p.seen, r.URL.Path+" "+string(body))
		p.local = append(p.local, r.Header.Get(HeaderLocal))
		p.auth = append(p.auth, user+":"+pass)
		p.mu.Unlock()
		code, out := p.answer(r.URL.Path)
		w.WriteHeader(code)
		_, _ = io.WriteString(w, out)
	}))
	t.Cleanup(p.Close)
	return p
}

func routed(body string) context.Context {
	return context.WithValue(context.Background(), ctxKey{}, &request{body: []byte(body)})
}

func errBody(code int, msg string) string {
	b, _ := json.Marshal(map[string]any{"status": code, "message": msg})
	return string(b)
}

// A call of another node: find, terminate and send_dtmf go to its owner, marked local and
// with the cluster credentials; the owner's error comes back with its status and message.
func TestForwardToOwner(t *testing.T) {
	b := newPeer(t, func(path string) (int, string) {
		switch path {
		case "/rest-api/call/find":
			return 200, `[{"callId":"c1","nodeId":"b","status":"ESTABLISHED"}]`
		case "/rest-api/call/send_dtmf":
			return 400, errBody(400, "call: not established: call \"c1\" is TRYING")
		}
		return 200, ""
	})
	m := &fakeMembers{nodes: []cluster.NodeInfo{{ID: "a", URL: "http://a.invalid"}, {ID: "b", URL: b.URL}},
		owners: map[string]cluster.Owner{"callId/c1": {NodeID: "b", URL: b.URL, CallID: "c1"}}}
	f := New(nil, &fakeLocal{}, m, Config{User: "cluster", Password: "pw"})
	calls, err := f.Find(routed(`{"callId":"c1"}`), map[string]any{"callId": "c1"})
	if err != nil || len(calls) != 1 || calls[0].NodeID == nil || *calls[0].NodeID != "b" {
		t.Fatalf("find = %+v, %v", calls, err)
	}
	if err := f.Terminate(routed(`{"callId":"c1"}`), "c1"); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	_, err = f.SendDTMF(routed(""), "c1", "1", "INFO")
	var re *RemoteError
	if !errors.As(err, &re) || re.Status != 400 || !errors.Is(err, callapi.ErrInvalid) || !strings.Contains(err.Error(), "TRYING") {
		t.Fatalf("send_dtmf = %v, want the owner's 400 and message", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	want := []string{`/rest-api/call/find {"callId":"c1"}`, `/rest-api/call/terminate {"callId":"c1"}`,
		`/rest-api/call/send_dtmf {"callId":"c1","dtmf":"1","type":"INFO"}`}
	if fmt.Sprint(b.seen) != fmt.Sprint(want) {
		t.Fatalf("b was asked %q, want %q", b.seen, want)
	}
	for i := range b.seen {
		if b.local[i] != "a" || b.auth[i] != "cluster:pw" {
			t.Fatalf("request %d: local %q auth %q", i, b.local[i], b.auth[i])
		}
	}
}

// A request marked local (from another node) is answered here only: nothing is forwarded twice.
func TestLocalNeverForwards(t *testing.T) {
	b := newPeer(t, func(string) (int, string) { return 200, "[]" })
	m := &fakeMembers{nodes: []cluster.NodeInfo{{ID: "a"}, {ID: "b", URL: b.URL}},
		owners: map[string]cluster.Owner{"callId/c1": {NodeID: "b", URL: b.URL}}}
	f := New(nil, &fakeLocal{full: true}, m, Config{})
	local := context.WithValue(context.Background(), ctxKey{}, &request{local: true, body: []byte(`{}`)})
	if calls, _ := f.Find(local, map[string]any{"callId": "c1"}); len(calls) != 0 {
		t.Fatalf("local find = %+v", calls)
	}
	if err := f.Terminate(local, "c1"); !errors.Is(err, callapi.ErrNotFound) {
		t.Fatalf("local terminate = %v", err)
	}
	if _, err := f.StartCall(local, callapi.Startup{CallID: "c2"}); !errors.Is(err, registry.ErrFull) {
		t.Fatalf("local startup on a full node = %v, want ErrFull (no placement)", err)
	}
	if _, err := f.Find(context.Background(), nil); err != nil {
		t.Fatal(err) // no middleware mark (the drain): local too
	}
	if len(b.seen) != 0 {
		t.Fatalf("b was asked %q", b.seen)
	}
}

// find_all fans out and merges in node id order; a node that does not answer is left out.
func TestFanOutMerges(t *testing.T) {
	b := newPeer(t, func(string) (int, string) { return 200, `[{"callId":"b1","nodeId":"b"}]` })
	c := newPeer(t, func(string) (int, string) { return 404, errBody(404, "not found: no call matches") })
	m := &fakeMembers{nodes: []cluster.NodeInfo{{ID: "a"}, {ID: "b", URL: b.URL}, {ID: "c", URL: c.URL},
		{ID: "d", URL: "http://127.0.0.1:1"}}}
	f := New(nil, &fakeLocal{calls: []callapi.Call{{CallID: "a1"}, {CallID: "a2"}}}, m, Config{})
	calls, err := f.Find(routed(""), nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range calls {
		ids = append(ids, c.CallID)
	}
	if fmt.Sprint(ids) != "[a1 a2 b1]" {
		t.Fatalf("find_all = %v, want [a1 a2 b1]", ids)
	}
}

// A full node places the startup on the least-loaded node that is not full, passing the
// client's body as it came; a node that answers 503 is skipped; every node full is ErrNoNode.
func TestPlacement(t *testing.T) {
	busy := newPeer(t, func(string) (int, string) { return 503, errBody(503, "at capacity") })
	free := newPeer(t, func(string) (int, string) { return 200, `[{"callId":"c9","nodeId":"d"}]` })
	m := &fakeMembers{nodes: []cluster.NodeInfo{
		{ID: "a", LiveCalls: 5, MaxCalls: 5},
		{ID: "b", URL: "http://b.invalid", LiveCalls: 3, MaxCalls: 3}, // full: never asked
		{ID: "c", URL: busy.URL, LiveCalls: 1, MaxCalls: 5},           // least loaded, but refuses
		{ID: "d", URL: free.URL, LiveCalls: 2, MaxCalls: 5, Load: 0.1},
		{ID: "e", URL: free.URL, LiveCalls: 2, MaxCalls: 5, Load: 0.9},
	}}
	f := New(nil, &fakeLocal{full: true}, m, Config{})
	body := `{"callId":"c9","callee":"x"}`
	got, err := f.StartCall(routed(body), callapi.Startup{CallID: "c9"})
	if err != nil || got.NodeID == nil || *got.NodeID != "d" {
		t.Fatalf("placed = %+v, %v; want on d", got, err)
	}
	if len(busy.seen) != 1 || len(free.seen) != 1 || free.seen[0] != "/rest-api/call/startup "+body {
		t.Fatalf("asked: busy %q, free %q", busy.seen, free.seen)
	}
	m.nodes = m.nodes[:2]
	if _, err := f.StartCall(routed(body), callapi.Startup{CallID: "c9"}); !errors.Is(err, cluster.ErrNoNode) || !errors.Is(err, callapi.ErrUnavailable) {
		t.Fatalf("every node full = %v, want ErrNoNode (503)", err)
	}
}

// A node refusing this node's credentials is a 503 naming the setting, not its 401.
func TestRefusedCredentials(t *testing.T) {
	b := newPeer(t, func(string) (int, string) { return 401, errBody(401, "Unauthorized") })
	m := &fakeMembers{nodes: []cluster.NodeInfo{{ID: "a"}, {ID: "b", URL: b.URL}},
		owners: map[string]cluster.Owner{"callId/c1": {NodeID: "b", URL: b.URL}}}
	f := New(nil, &fakeLocal{}, m, Config{})
	_, err := f.Find(routed(""), map[string]any{"callId": "c1"})
	if !errors.Is(err, callapi.ErrUnavailable) || !strings.Contains(err.Error(), "SIPCAST_CLUSTER_USER") {
		t.Fatalf("find = %v", err)
	}
}
