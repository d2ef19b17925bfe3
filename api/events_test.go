package api

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// The event stream on a real socket: the callId filter holds, each event has id, event and data
// lines, and closing the source ends the stream so the server can shut down.
func TestEventStream(t *testing.T) {
	broker := newFakeEvents()
	app := New(Config{Events: broker, HeartbeatInterval: 50 * time.Millisecond}, newFake())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	res, err := http.Get("http://" + ln.Addr().String() + "/rest-api/events?callId=c1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" ||
		res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	r := bufio.NewReader(res.Body)
	if line, _ := r.ReadString('\n'); line != ": sipcast events\n" {
		t.Fatalf("first line %q", line)
	}
	// The subscription exists once the first line came; publish two calls' events.
	broker.Publish(callapi.Event{ID: 1, Name: callapi.EventCallStatus, CallID: "c2", Body: []byte(`{"callId":"c2"}`)})
	broker.Publish(callapi.Event{ID: 2, Name: callapi.EventCallStatus, CallID: "c1", Body: []byte(`{"callId":"c1","status":"RING"}`)})
	broker.Publish(callapi.Event{ID: 3, Name: callapi.EventRegistrationStatus, CallID: "c1", Body: []byte("{\"a\":\n1}")})
	var got []string
	afterComment := true // the opening comment was read above
	for len(got) < 9 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %q: %v", got, err)
		}
		if strings.HasPrefix(line, ":") || (line == "\n" && afterComment) {
			afterComment = strings.HasPrefix(line, ":")
			continue // heartbeats, and the blank line after one
		}
		afterComment = false
		got = append(got, line)
	}
	want := "id: 2\nevent: CallStatusEvent\ndata: {\"callId\":\"c1\",\"status\":\"RING\"}\n\n" +
		"id: 3\nevent: RegistrationStatusEvent\ndata: {\"a\":\ndata: 1}\n\n"
	if strings.Join(got, "") != want {
		t.Fatalf("stream %q, want %q", strings.Join(got, ""), want)
	}
	broker.Close()
	for {
		if _, err := r.ReadString('\n'); err != nil {
			break // the stream ended
		}
	}
	done := make(chan error, 1)
	go func() { done <- app.ShutdownWithTimeout(5 * time.Second) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown hung on the event stream")
	}
}

// A client that goes away is unsubscribed at the next write (event or heartbeat).
func TestEventStreamClientGone(t *testing.T) {
	broker := newFakeEvents()
	app := New(Config{Events: broker, HeartbeatInterval: 20 * time.Millisecond}, newFake())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { broker.Close(); _ = app.Shutdown() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = conn.Write([]byte("GET /rest-api/events HTTP/1.1\r\nHost: x\r\n\r\n"))
	buf := make([]byte, 512)
	if _, err := conn.Read(buf); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if broker.Len() == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("subscription kept after the client left")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
