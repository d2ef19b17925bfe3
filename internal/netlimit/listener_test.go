package netlimit

import (
	"crypto/tls"
	"errors"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sipcast/sipcast/internal/metrics"
)

func listen(t *testing.T, cfg Config) *Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := Wrap(ln, cfg)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// serve accepts in the background and hands every connection to got.
func serve(l *Listener) <-chan net.Conn {
	got := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(got)
				return
			}
			got <- c
		}
	}()
	return got
}

func dial(t *testing.T, l *Listener) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// closedByServer reports whether the server closed c (a read ends with EOF or a reset).
func closedByServer(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

func TestPerSourceCap(t *testing.T) {
	l := listen(t, Config{Name: "test-src", MaxPerSource: 2})
	got := serve(l)
	before := metrics.ConnsRefused.With("test-src").Value()
	a, b := dial(t, l), dial(t, l)
	ca, cb := <-got, <-got
	third := dial(t, l)
	if !closedByServer(third) {
		t.Fatal("a third connection from the same source stayed open")
	}
	if n := metrics.ConnsRefused.With("test-src").Value() - before; n != 1 {
		t.Fatalf("refused counter rose by %d, want 1", n)
	}
	if l.Open() != 2 {
		t.Fatalf("open = %d, want 2", l.Open())
	}
	// A place freed is a place taken again.
	_ = ca.Close()
	fourth := dial(t, l)
	c4 := <-got
	if _, err := fourth.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1)
	_ = c4.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := c4.Read(buf); err != nil || buf[0] != 'x' {
		t.Fatalf("the connection after a close was not served: %v", err)
	}
	_, _, _ = a, b, cb
}

func TestTotalCap(t *testing.T) {
	l := listen(t, Config{Name: "test-total", MaxConns: 3})
	got := serve(l)
	for range 3 {
		dial(t, l)
		<-got
	}
	if !closedByServer(dial(t, l)) {
		t.Fatal("a connection over the total cap stayed open")
	}
}

func TestIdleTimeout(t *testing.T) {
	l := listen(t, Config{Name: "test-idle", IdleTimeout: 100 * time.Millisecond})
	got := serve(l)
	dial(t, l)
	c := <-got
	start := time.Now()
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read of an idle connection: %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("idle timeout took %v", d)
	}
}

// TestTLSHandshakeTimeout: a client that connects and never says hello is dropped.
func TestTLSHandshakeTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tl := tls.NewListener(ln, &tls.Config{GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
		return nil, errors.New("no certificate in this test")
	}})
	l := Wrap(tl, Config{Name: "test-tls", HandshakeTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { _ = l.Close() })
	got := serve(l)
	dial(t, l)
	c := <-got
	done := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 1)); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("read succeeded without a handshake")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a silent TLS client held the connection past the handshake timeout")
	}
}

// fakeListener fails Accept with errs, in order, then blocks until closed.
type fakeListener struct {
	mu     sync.Mutex
	errs   []error
	closed chan struct{}
}

func (f *fakeListener) Accept() (net.Conn, error) {
	f.mu.Lock()
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		f.mu.Unlock()
		return nil, err
	}
	f.mu.Unlock()
	<-f.closed
	return nil, net.ErrClosed
}
func (f *fakeListener) Close() error   { close(f.closed); return nil }
func (f *fakeListener) Addr() net.Addr { return &net.TCPAddr{} }

func TestAcceptErrorBacksOff(t *testing.T) {
	emfile := &net.OpError{Op: "accept", Net: "tcp", Err: &osSyscallError{syscall.EMFILE}}
	f := &fakeListener{errs: []error{emfile, emfile, emfile}, closed: make(chan struct{})}
	var slept []time.Duration
	l := Wrap(f, Config{Name: "test-emfile", Logger: discard()})
	l.cfg.sleep = func(d time.Duration) { slept = append(slept, d) }
	before := metrics.AcceptErrors.With("test-emfile").Value()
	done := make(chan error, 1)
	go func() { _, err := l.Accept(); done <- err }()
	time.Sleep(50 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Accept returned %v on EMFILE", err)
	default:
	}
	_ = l.Close()
	err := <-done
	if !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v, want net.ErrClosed", err)
	}
	if n := metrics.AcceptErrors.With("test-emfile").Value() - before; n != 3 {
		t.Fatalf("accept errors counted %d, want 3", n)
	}
	want := []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond}
	if len(slept) != len(want) {
		t.Fatalf("slept %v, want %v", slept, want)
	}
	for i := range want {
		if slept[i] != want[i] {
			t.Fatalf("slept %v, want %v", slept, want)
		}
	}
}

func TestPermanentErrorEnds(t *testing.T) {
	boom := errors.New("boom")
	f := &fakeListener{errs: []error{boom}, closed: make(chan struct{})}
	l := Wrap(f, Config{Name: "test-perm", Logger: discard()})
	if _, err := l.Accept(); !errors.Is(err, boom) {
		t.Fatalf("Accept: %v, want the permanent error", err)
	}
}

// osSyscallError mimics os.SyscallError's Unwrap chain to an Errno.
type osSyscallError struct{ err error }

func (e *osSyscallError) Error() string { return "accept4: " + e.err.Error() }
func (e *osSyscallError) Unwrap() error { return e.err }
