package rtmpserver

import (
	"errors"
	"net/url"
	"testing"
)

func TestStreamKey(t *testing.T) {
	cases := []struct {
		url  string
		want string
		err  error
	}{
		{"rtmp://h/live/x", "live/x", nil},
		{"rtmp://h:1935/live/x?token=abc", "live/x", nil},
		{"rtmp://h/live/_definst_/x", "live/_definst_/x", nil},
		{"rtmp://h/live/x/", "live/x", nil},
		{"rtmp://h/live", "", ErrBadStreamName},
		{"rtmp://h/live/", "", ErrBadStreamName},
		{"rtmp://h/", "", ErrBadStreamName},
		// A query on the application: the library appends "/stream" to tcUrl, after the query.
		{"rtmp://h/live?token=abc/x", "live/x", nil},
		{"rtmp://h/live?token=abc&sig=z/x?k=v", "live/x", nil},
		{"rtmp://h/live?token=abc/", "", ErrBadStreamName},
		{"rtmp://h/live?token=abc", "", ErrBadStreamName},
	}
	for _, c := range cases {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := streamKey(u)
		if got != c.want || !errors.Is(err, c.err) {
			t.Errorf("streamKey(%s) = %q, %v; want %q, %v", c.url, got, err, c.want, c.err)
		}
	}
	if _, err := streamKey(nil); !errors.Is(err, ErrBadStreamName) {
		t.Errorf("nil URL: %v", err)
	}
}

func TestRegistryClaimJoinRelease(t *testing.T) {
	s := &Server{streams: map[string]*stream{}}
	st, err := s.claim("live/x", func() uint64 { return 42 })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.claim("live/x", nil); !errors.Is(err, ErrStreamBusy) {
		t.Fatalf("second claim: %v, want ErrStreamBusy", err)
	}
	p := newPlayer(nil, nil, 1, 0)
	if got := s.join("live/x", p); got != st {
		t.Fatal("player joined another stream")
	}
	ss, ok := s.Stats("live", "x")
	if !ok || !ss.Publishing || ss.Players != 1 || ss.Bytes != 42 {
		t.Errorf("stats = %+v, %v", ss, ok)
	}
	s.release(st)
	select {
	case <-p.ended:
	default:
		t.Error("release did not end the player")
	}
	s.leave(st, p)
	if _, ok := s.Stats("live", "x"); ok {
		t.Error("idle stream still listed")
	}
	if _, err := s.claim("live/x", nil); err != nil {
		t.Errorf("claim after release: %v", err)
	}
}
