package netlimit

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/sipcast/sipcast/internal/metrics"
)

// Backoff of Accept after a temporary error (EMFILE, ENFILE, ENOBUFS, ECONNABORTED…): like
// net/http, 5 ms doubling to 1 s, so a process out of descriptors neither spins nor gives up.
const (
	minBackoff = 5 * time.Millisecond
	maxBackoff = time.Second
)

// Config are a listener's limits; a zero field means no limit of that kind.
type Config struct {
	// Name labels the listener in logs and metrics ("rest", "sip-tcp", "sip-tls", "rtmp").
	Name string
	// MaxConns caps the connections open at once; one more is closed as soon as it is accepted.
	MaxConns int
	// MaxPerSource caps the connections open at once from one IP address.
	MaxPerSource int
	// IdleTimeout closes a connection that has sent nothing for that long: every Read gets
	// this deadline.
	IdleTimeout time.Duration
	// HandshakeTimeout bounds a TLS connection's handshake, done before the first Read returns.
	HandshakeTimeout time.Duration
	Logger           *slog.Logger
	// sleep is the backoff's clock; tests make it instant.
	sleep func(time.Duration)
}

// Listener is a net.Listener with Config's limits.
type Listener struct {
	net.Listener
	cfg Config

	mu       sync.Mutex
	open     int
	bySource map[string]int
	closed   bool
	done     chan struct{}

	// lastLog and unlogged keep a flood's accept errors to one log line a second.
	lastLog  time.Time
	unlogged int
}

// logEvery is how often a run of accept errors is logged.
const logEvery = time.Second

// Wrap puts limits on ln.
func Wrap(ln net.Listener, cfg Config) *Listener {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.sleep == nil {
		cfg.sleep = time.Sleep
	}
	return &Listener{Listener: ln, cfg: cfg, bySource: map[string]int{}, done: make(chan struct{})}
}

// Accept returns the next connection within the limits. Temporary errors are logged, counted
// and waited out; connections over a cap are closed at once and counted. Only closing the
// listener (or a permanent error of the socket) ends it.
func (l *Listener) Accept() (net.Conn, error) {
	backoff := time.Duration(0)
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if l.isClosed() || errors.Is(err, net.ErrClosed) {
				return nil, fmt.Errorf("%w: %w", ErrClosed, net.ErrClosed)
			}
			if !temporary(err) {
				return nil, err
			}
			backoff = min(max(2*backoff, minBackoff), maxBackoff)
			metrics.AcceptErrors.With(l.cfg.Name).Inc()
			if n, ok := l.shouldLog(); ok {
				l.cfg.Logger.Warn("accept failed; backing off", "listener", l.cfg.Name, "err", err, "retryIn", backoff,
					"errors", n)
			}
			select {
			case <-l.done:
			default:
				l.cfg.sleep(backoff)
			}
			continue
		}
		backoff = 0
		source := sourceOf(c.RemoteAddr())
		if reason := l.admit(source); reason != "" {
			metrics.ConnsRefused.With(l.cfg.Name).Inc()
			l.cfg.Logger.Debug("connection refused", "listener", l.cfg.Name, "remote", c.RemoteAddr().String(), "cap", reason)
			_ = c.Close()
			continue
		}
		return l.wrap(c, source), nil
	}
}

// shouldLog counts an accept error and says whether to log it, with the errors since the last
// line; Accept is called from one goroutine, but Close may race with it.
func (l *Listener) shouldLog() (int, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unlogged++
	now := time.Now()
	if now.Sub(l.lastLog) < logEvery {
		return 0, false
	}
	n := l.unlogged
	l.lastLog, l.unlogged = now, 0
	return n, true
}

// Close closes the listener; connections already accepted stay open.
func (l *Listener) Close() error {
	l.mu.Lock()
	if !l.closed {
		l.closed = true
		close(l.done)
	}
	l.mu.Unlock()
	return l.Listener.Close()
}

// Open is the number of connections open now.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

func (l *Listener) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// admit counts a new connection from source, or names the cap it would break.
func (l *Listener) admit(source string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cfg.MaxConns > 0 && l.open >= l.cfg.MaxConns {
		return "total"
	}
	if l.cfg.MaxPerSource > 0 && l.bySource[source] >= l.cfg.MaxPerSource {
		return "per_source"
	}
	l.open++
	l.bySource[source]++
	return ""
}

func (l *Listener) release(source string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if n := l.bySource[source] - 1; n > 0 {
		l.bySource[source] = n
	} else {
		delete(l.bySource, source)
	}
}

func (l *Listener) wrap(c net.Conn, source string) net.Conn {
	lc := &conn{Conn: c, l: l, source: source}
	tc, ok := c.(*tls.Conn)
	if !ok {
		return lc
	}
	if l.cfg.HandshakeTimeout > 0 {
		lc.tls = tc
	}
	return &tlsConn{conn: lc, tc: tc}
}

// sourceOf is the IP of a remote address (the port differs per connection).
func sourceOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	if host, _, err := net.SplitHostPort(a.String()); err == nil {
		return host
	}
	return a.String()
}

// temporary tells errors worth waiting out: descriptors or buffers exhausted, a connection
// reset before it was accepted, and whatever the runtime itself calls temporary or a timeout.
func temporary(err error) bool {
	for _, e := range []syscall.Errno{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EINTR, syscall.EAGAIN, syscall.EPROTO, syscall.EPERM} {
		if errors.Is(err, e) {
			return true
		}
	}
	var t interface{ Temporary() bool }
	if errors.As(err, &t) && t.Temporary() {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
