// Package rtmpserver is a small embedded RTMP server: each publisher of
// rtmp://host/app/stream is relayed to any number of players of the same
// app/stream. It is the default sink of the dev profile and of the benchmark,
// so sipcast can be watched with ffplay and measured without nginx.
//
// It is built on gortmplib's server side: a publisher is read with a
// gortmplib.Reader, each player written with its own gortmplib.Writer from its
// own bounded queue, so a slow player drops frames (and resumes at the next
// keyframe) instead of slowing the publisher or the other players.
package rtmpserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/bluenviron/gortmplib"

	"github.com/sipcast/sipcast/internal/netlimit"
)

// Defaults of the Server fields.
const (
	DefaultAddr = "127.0.0.1:1935"
	// DefaultReadTimeout: a publisher silent this long is gone. Devices send
	// 25-50 packets a second; 10 s outlasts any network hiccup worth waiting for.
	DefaultReadTimeout = 10 * time.Second
	// DefaultWriteTimeout: a player whose socket accepts nothing for this long
	// has stopped reading; it is dropped.
	DefaultWriteTimeout = 10 * time.Second
	// DefaultPlayerQueue frames are about 4 s of 25 fps video with AAC audio
	// (~70 frames/s): enough to ride out a player's scheduling hiccups, small
	// enough (they are shared, not copied) to cost little per player.
	DefaultPlayerQueue = 256
	// DefaultMaxConns and DefaultMaxConnsPerIP: a demo and benchmark sink
	// needs a few hundred publishers and players; a flooder gets no more.
	DefaultMaxConns      = 256
	DefaultMaxConnsPerIP = 64
)

// Server relays RTMP publications to players. Set the fields, then Start;
// fields must not change afterwards.
type Server struct {
	// Addr is the TCP address to listen on; ":0" picks a free port.
	// Default DefaultAddr.
	Addr string
	// Logger receives connection events. Default slog.Default().
	Logger *slog.Logger
	// ReadTimeout bounds the handshake and each read from a publisher.
	// Default DefaultReadTimeout.
	ReadTimeout time.Duration
	// WriteTimeout bounds each write to a player. Default DefaultWriteTimeout.
	WriteTimeout time.Duration
	// PlayerQueue is the number of frames queued per player before it drops.
	// Default DefaultPlayerQueue.
	PlayerQueue int
	// MaxConns caps the connections open at once; more are closed as soon as
	// they are accepted. Default DefaultMaxConns.
	MaxConns int
	// MaxConnsPerIP caps the connections open at once from one address.
	// Default DefaultMaxConnsPerIP.
	MaxConnsPerIP int

	logger       *slog.Logger
	readTimeout  time.Duration
	writeTimeout time.Duration
	playerQueue  int

	mu      sync.Mutex
	started bool
	closed  bool
	ln      net.Listener
	conns   map[net.Conn]struct{}
	streams map[string]*stream
	done    chan struct{} // closed by Close
	wg      sync.WaitGroup
}

// Start listens and serves in the background. A bind error is returned at once.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return ErrClosed
	case s.started:
		return ErrAlreadyStarted
	}
	s.applyDefaults()
	raw, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("rtmpserver: %w", err)
	}
	// The handshake deadline is serve's; the listener caps connections and
	// waits out accept errors (out of descriptors) with a backoff.
	ln := netlimit.Wrap(raw, netlimit.Config{Name: "rtmp", MaxConns: s.MaxConns,
		MaxPerSource: s.MaxConnsPerIP, Logger: s.logger})
	s.started = true
	s.ln = ln
	s.conns = make(map[net.Conn]struct{})
	s.streams = make(map[string]*stream)
	s.done = make(chan struct{})
	s.wg.Add(1)
	go s.acceptLoop(ln)
	s.logger.Info("rtmp server listening", "addr", ln.Addr().String())
	return nil
}

func (s *Server) applyDefaults() {
	if s.Addr == "" {
		s.Addr = DefaultAddr
	}
	s.logger = s.Logger
	if s.logger == nil {
		s.logger = slog.Default()
	}
	s.readTimeout = orDefault(s.ReadTimeout, DefaultReadTimeout)
	s.writeTimeout = orDefault(s.WriteTimeout, DefaultWriteTimeout)
	s.playerQueue = orDefault(s.PlayerQueue, DefaultPlayerQueue)
	s.MaxConns = orDefault(s.MaxConns, DefaultMaxConns)
	s.MaxConnsPerIP = orDefault(s.MaxConnsPerIP, DefaultMaxConnsPerIP)
}

func orDefault[T time.Duration | int](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// ListenAddr is the address actually listened on (useful with ":0"); nil
// before Start. (It cannot be called Addr: that is the configuration field.)
func (s *Server) ListenAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// URL is the address players and publishers use for app/stream, e.g.
// rtmp://127.0.0.1:1935/live/x; empty before Start.
func (s *Server) URL(app, stream string) string {
	a := s.ListenAddr()
	if a == nil {
		return ""
	}
	return "rtmp://" + a.String() + "/" + app + "/" + stream
}

// Close stops listening, closes every connection and waits for all the
// server's goroutines. It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	var err error
	if s.started {
		close(s.done)
		err = s.ln.Close()
		for c := range s.conns {
			_ = c.Close()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) acceptLoop(ln net.Listener) {
	defer s.wg.Done()
	for {
		conn, err := ln.Accept() // temporary errors are retried inside
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.logger.Error("rtmp server stopped accepting", "err", err)
			}
			return
		}
		if !s.track(conn) {
			_ = conn.Close()
			return
		}
		go s.serveConn(conn)
	}
}

// track registers conn so Close can cut it; false once closing.
func (s *Server) track(conn net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[conn] = struct{}{}
	s.wg.Add(1) // under mu, so it cannot race with Close's Wait
	return true
}

func (s *Server) untrack(conn net.Conn) {
	s.mu.Lock()
	delete(s.conns, conn)
	s.mu.Unlock()
	_ = conn.Close()
	s.wg.Done()
}

func (s *Server) serveConn(conn net.Conn) {
	defer s.untrack(conn)
	log := s.logger.With("remote", conn.RemoteAddr().String())
	err := s.serve(conn, log)
	select {
	case <-s.done:
		err = ErrClosed
	default:
	}
	log.Debug("rtmp connection closed", "err", err)
}

// serve runs the RTMP handshake and connect, then serves the connection
// as a publisher or a player.
func (s *Server) serve(conn net.Conn, log *slog.Logger) error {
	_ = conn.SetDeadline(time.Now().Add(s.readTimeout))
	sc := &gortmplib.ServerConn{RW: conn}
	if err := sc.Initialize(); err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	if err := sc.AcceptConn(); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	key, err := streamKey(sc.URL)
	if sc.Publish {
		if err != nil {
			_ = reject(conn, sc, codePublishBadName, err.Error())
			return err
		}
		return s.servePublisher(conn, sc, key, log)
	}
	if err != nil {
		_ = reject(conn, sc, codePlayNotFound, err.Error())
		return err
	}
	return s.servePlayer(conn, sc, key, log)
}
