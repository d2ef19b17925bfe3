package api

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// The REST timeouts bound a client that trickles its request, but not the event stream, which
// is meant to outlast the write timeout (fasthttp puts its WriteTimeout on a whole answer).
func TestRESTTimeouts(t *testing.T) {
	broker := newFakeEvents()
	app := New(Config{Logger: quiet, Events: broker, HeartbeatInterval: time.Hour,
		ReadTimeout: 300 * time.Millisecond, WriteTimeout: 300 * time.Millisecond}, newFake())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { broker.Close(); _ = app.Shutdown() })

	// A request whose headers never end is cut after the read timeout.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "POST /rest-api/call/find HTTP/1.1\r\nHost: h\r\n")
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, _ = io.Copy(io.Discard, c) // returns when the server closes
	if d := time.Since(start); d > 4*time.Second {
		t.Fatalf("a half-sent request was kept %v (read timeout 300 ms)", d)
	}

	// The event stream outlives the write timeout and still delivers.
	res, err := http.Get("http://" + ln.Addr().String() + "/rest-api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	r := bufio.NewReader(res.Body)
	if line, _ := r.ReadString('\n'); line != ": sipcast events\n" {
		t.Fatalf("first line %q", line)
	}
	time.Sleep(time.Second)
	broker.Publish(callapi.Event{ID: 1, Name: callapi.EventCallStatus, CallID: "c1", Body: []byte(`{"callId":"c1"}`)})
	var got strings.Builder
	for !strings.Contains(got.String(), `data: {"callId":"c1"}`) {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream cut after the write timeout: %v (read %q)", err, got.String())
		}
		got.WriteString(line)
	}
}
