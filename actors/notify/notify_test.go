package notify

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// receiver is an app: an HTTP server that records what it is sent and answers as told.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int) int // status for the n-th request (from 0); nil: 200
	hang   chan struct{}   // when set, requests wait until it closes
}

type received struct {
	path   string
	header http.Header
	body   []byte
	call   callapi.Call
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var c callapi.Call
		_ = json.Unmarshal(body, &c)
		r.mu.Lock()
		n := len(r.got)
		r.got = append(r.got, received{path: req.URL.Path, header: req.Header.Clone(), body: body, call: c})
		answer, hang := r.answer, r.hang
		r.mu.Unlock()
		if hang != nil {
			select {
			case <-hang:
			case <-req.Context().Done():
			}
			return
		}
		code := http.StatusOK
		if answer != nil {
			code = answer(n)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(func() {
		r.mu.Lock()
		if r.hang != nil {
			close(r.hang)
			r.hang = nil
		}
		r.mu.Unlock()
		r.srv.Close()
	})
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) waitFor(t *testing.T, n int) []received {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if got := r.requests(); len(got) >= n {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("receiver got %d requests, want %d", len(r.requests()), n)
	return nil
}

func start(t *testing.T, cfg Config) *Handle {
	t.Helper()
	system := actor.NewActorSystem()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handle{}
	if err := h.Start(system, cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Stop(); system.Shutdown() })
	return h
}

func snapshot(id, status string, sip int, rtmp string) callapi.Call {
	return callapi.Call{CallID: id, Status: status, SIPStatus: callapi.Int(sip), RTMPStreamStatus: callapi.Str(rtmp),
		AppKey: callapi.Str("")}
}

// Every change of a call arrives once, in order, at <app URL>/CallStatusEvent, as the call object;
// a snapshot that changes nothing notifiable is not sent.
func TestCallEventsInOrder(t *testing.T) {
	r := newReceiver(t)
	broker := NewBroker()
	sub := broker.Subscribe("c1")
	h := start(t, Config{Apps: func(k string) string {
		if k == DefaultAppKey {
			return r.srv.URL + "/CallApp/"
		}
		return ""
	}, Broker: broker, Authorization: "Bearer t0k3n", Secret: "s3cret"})
	steps := []callapi.Call{
		snapshot("c1", callapi.StatusPending, 0, callapi.RTMPStreamWait),
		snapshot("c1", callapi.StatusTrying, 0, callapi.RTMPStreamWait),
		snapshot("c1", callapi.StatusTrying, 0, callapi.RTMPStreamWait), // same again: skipped
		snapshot("c1", callapi.StatusRing, 180, callapi.RTMPStreamWait),
		snapshot("c1", callapi.StatusEstablished, 200, callapi.RTMPStreamWait),
		snapshot("c1", callapi.StatusEstablished, 200, callapi.RTMPStreamActive),
		snapshot("c1", callapi.StatusFinish, 200, callapi.RTMPStreamActive),
	}
	for _, c := range steps {
		h.CallChanged(c)
	}
	got := r.waitFor(t, 6)
	want := []string{"PENDING", "TRYING", "RING", "ESTABLISHED/RTMP_STREAM_WAIT", "ESTABLISHED/RTMP_STREAM_ACTIVE", "FINISH"}
	for i, g := range got {
		status := g.call.Status
		if status == callapi.StatusEstablished {
			status += "/" + *g.call.RTMPStreamStatus
		}
		if status != want[i] || g.path != "/CallApp/CallStatusEvent" {
			t.Fatalf("request %d: %s %s, want %s", i, g.path, status, want[i])
		}
		if g.header.Get("Authorization") != "Bearer t0k3n" || g.header.Get(HeaderEvent) != EventCallStatus ||
			g.header.Get("Content-Type") != "application/json" {
			t.Fatalf("headers %v", g.header)
		}
		if !Verify([]byte("s3cret"), g.header.Get(HeaderSignature), g.body, time.Now(), time.Minute) {
			t.Fatalf("signature %q does not verify", g.header.Get(HeaderSignature))
		}
		if Verify([]byte("other"), g.header.Get(HeaderSignature), g.body, time.Now(), time.Minute) {
			t.Fatal("signature verifies with the wrong secret")
		}
	}
	if err := h.Flush(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	// The SSE subscriber saw the same, numbered in order.
	var last uint64
	for i := range want {
		ev := <-sub.Events()
		if ev.ID <= last || ev.Name != EventCallStatus || ev.CallID != "c1" {
			t.Fatalf("event %d: %+v", i, ev)
		}
		last = ev.ID
	}
	broker.Close()
	if _, ok := <-sub.Events(); ok {
		t.Fatal("subscription open after Close")
	}
}

// A 503 is retried with backoff until the app takes it; a 400 is not retried.
func TestRetries(t *testing.T) {
	r := newReceiver(t)
	r.answer = func(n int) int {
		switch n {
		case 0, 1:
			return http.StatusServiceUnavailable
		case 3:
			return http.StatusBadRequest
		}
		return http.StatusOK
	}
	dropped := metrics.NotifyDropped.With("rejected").Value()
	h := start(t, Config{Apps: func(string) string { return r.srv.URL }, Retries: 3, Backoff: time.Millisecond})
	h.CallChanged(snapshot("r1", callapi.StatusTrying, 0, ""))
	h.CallChanged(snapshot("r1", callapi.StatusRing, 180, ""))
	h.CallChanged(snapshot("r1", callapi.StatusFinish, 180, ""))
	got := r.waitFor(t, 5)
	var statuses []string
	for _, g := range got {
		statuses = append(statuses, g.call.Status)
	}
	if strings.Join(statuses, ",") != "TRYING,TRYING,TRYING,RING,FINISH" {
		t.Fatalf("requests %v", statuses)
	}
	if metrics.NotifyDropped.With("rejected").Value() != dropped+1 {
		t.Fatal("the rejected event was not counted")
	}
	if got[0].header.Get(HeaderEventID) != got[2].header.Get(HeaderEventID) {
		t.Fatal("a retry must carry the same event id")
	}
}

// A hanging app holds only its own call's lane: another call's events to another app arrive while
// it hangs, and a call's lane that overflows drops (and counts) the excess.
func TestHangingAppDoesNotBlockOthers(t *testing.T) {
	slow, fast := newReceiver(t), newReceiver(t)
	slow.hang = make(chan struct{})
	h := start(t, Config{Apps: func(k string) string {
		if k == "slowApp" {
			return slow.srv.URL
		}
		return fast.srv.URL
	}, LaneSize: 4, Timeout: time.Minute})
	full := metrics.NotifyDropped.With("queue_full").Value()
	for i := range 10 {
		c := snapshot("s1", callapi.StatusRing, 180+i, "")
		c.AppKey = callapi.Str("slowApp")
		h.CallChanged(c)
	}
	slow.waitFor(t, 1)
	h.CallChanged(snapshot("f1", callapi.StatusTrying, 100, ""))
	h.CallChanged(snapshot("f1", callapi.StatusEstablished, 200, ""))
	got := fast.waitFor(t, 2)
	if got[0].call.CallID != "f1" || got[1].call.Status != callapi.StatusEstablished {
		t.Fatalf("fast app got %+v", got)
	}
	if len(slow.requests()) != 1 {
		t.Fatalf("the slow app should still hold the first request, got %d", len(slow.requests()))
	}
	if n := metrics.NotifyDropped.With("queue_full").Value() - full; n != 6 {
		t.Fatalf("%d dropped, want 6 (10 events, lane of 4)", n)
	}
}

// Flush gives up on a dead app at once instead of waiting out the backoff.
func TestFlushSkipsBackoff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + ln.Addr().String()
	ln.Close()
	h := start(t, Config{Apps: func(string) string { return dead }, Retries: 5, Backoff: time.Hour})
	h.CallChanged(snapshot("d1", callapi.StatusTrying, 0, ""))
	h.CallChanged(snapshot("d1", callapi.StatusFailed, 503, ""))
	deadline := time.Now().Add(5 * time.Second)
	for metrics.NotifyFailures.Value() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := h.Flush(5 * time.Second); err != nil {
		t.Fatalf("flush: %v", err)
	}
	if metrics.NotifyQueued.Value() != 0 {
		t.Fatalf("queue %d after flush", metrics.NotifyQueued.Value())
	}
}

// An app with no URL gets nothing; SSE still sees the event; Publish carries any event name.
func TestPublishAndNoApp(t *testing.T) {
	broker := NewBroker()
	all := broker.Subscribe("")
	other := broker.Subscribe("zzz")
	h := start(t, Config{Broker: broker})
	h.Publish(EventRegistrationStatus, "p1", "", map[string]string{"status": "REGISTERED"})
	ev := <-all.Events()
	if ev.Name != EventRegistrationStatus || ev.AppKey != DefaultAppKey || string(ev.Body) != `{"status":"REGISTERED"}` {
		t.Fatalf("%+v", ev)
	}
	select {
	case ev := <-other.Events():
		t.Fatalf("filtered subscriber got %+v", ev)
	default:
	}
	broker.Unsubscribe(other)
	broker.Unsubscribe(other)
	if err := h.Flush(time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 5: MaxBackoff, 50: MaxBackoff} {
		if got := backoff(time.Second, n); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestNilHandle(t *testing.T) {
	var h *Handle
	h.CallChanged(callapi.Call{})
	h.Publish("x", "", "", nil)
	h.Stop()
	if err := h.Flush(time.Millisecond); err == nil {
		t.Fatal("flush of nil handle")
	}
}

func BenchmarkSign(b *testing.B) {
	b.ReportAllocs()
	body := []byte(strings.Repeat("x", 600))
	for b.Loop() {
		Sign([]byte("secret"), 1700000000, body)
	}
}
