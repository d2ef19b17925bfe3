package rtmpserver

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/sipcast/sipcast/internal/testutil"
)

// TestPublishWithQuery: a publisher whose URL carries a query on the application (a token, as
// platforms ask for) is accepted under app/stream, not refused with BadName (issue 12).
func TestPublishWithQuery(t *testing.T) {
	m := loadMedia(t)
	s := startServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		done <- publishClient(ctx, "rtmp://"+s.ListenAddr().String()+"/live?token=s3cret#cam", m, nil, ready)
	}()
	if err := <-ready; err != nil {
		t.Fatalf("publish with a query refused: %v", err)
	}
	testutil.WaitFor(t, 5*time.Second, "stream live/cam published", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		st := s.streams["live/cam"]
		return st != nil && st.publishing
	})
	cancel()
	<-done
}

// TestConnectionCaps: connections over the per-address cap are closed at once, and the server
// serves again once one goes.
func TestConnectionCaps(t *testing.T) {
	s := startServer(t, func(s *Server) { s.MaxConnsPerIP = 2 })
	addr := s.ListenAddr().String()
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	testutil.WaitFor(t, 2*time.Second, "two connections tracked", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) == 2
	})
	extra, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	_ = extra.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err = extra.Read(make([]byte, 1))
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		t.Fatalf("a third connection from one address was kept (read: %v)", err)
	}
	_ = held[0].Close()
	testutil.WaitFor(t, 2*time.Second, "a place freed", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) == 1
	})
}
