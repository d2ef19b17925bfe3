package udppoll

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/leak"
	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/internal/testutil"
)

func listen(t testing.TB, addr string) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort(addr)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// collector keeps copies of what a handler got.
type collector struct {
	mu      sync.Mutex
	got     []Datagram
	batches int
}

func (c *collector) handle(batch []Datagram) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches++
	for _, d := range batch {
		d.Buf = bytes.Clone(d.Buf)
		c.got = append(c.got, d)
	}
}

func (c *collector) snapshot() ([]Datagram, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Datagram(nil), c.got...), c.batches
}

func (c *collector) waitFor(t *testing.T, n int) []Datagram {
	t.Helper()
	testutil.WaitFor(t, 5*time.Second, fmt.Sprintf("%d datagrams", n), func() bool {
		got, _ := c.snapshot()
		return len(got) >= n
	})
	got, _ := c.snapshot()
	return got
}

// collected registers a fresh socket with a fresh poller, its datagrams kept by a collector,
// and returns the socket, one to send from and the collector.
func collected(t *testing.T, interval time.Duration) (conn, from *net.UDPConn, c *collector) {
	t.Helper()
	p, err := New(interval)
	if err != nil {
		t.Fatal(err)
	}
	conn, from, c = listen(t, "127.0.0.1:0"), listen(t, "127.0.0.1:0"), &collector{}
	r, err := p.Add(conn, c.handle, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Remove)
	return conn, from, c
}

func send(t testing.TB, from, to *net.UDPConn, payloads ...[]byte) {
	t.Helper()
	for _, b := range payloads {
		if _, err := from.WriteToUDPAddrPort(b, to.LocalAddr().(*net.UDPAddr).AddrPort()); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewInterval(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want error
	}{
		{0, nil}, {time.Millisecond, nil}, {MaxInterval, nil},
		{-time.Millisecond, ErrInterval}, {MaxInterval + 1, ErrInterval},
	} {
		if _, err := New(tc.d); !errors.Is(err, tc.want) {
			t.Errorf("New(%v) = %v, want %v", tc.d, err, tc.want)
		}
	}
}

// Every datagram reaches its own socket's handler, whole, in order, with its sender.
func TestDeliversEachSocketsDatagrams(t *testing.T) {
	for _, ip := range []string{"127.0.0.1", "[::1]"} {
		t.Run(ip, func(t *testing.T) {
			leak.CheckGoroutines(t, 2*time.Second)
			p, err := New(2 * time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			a, b, from := listen(t, ip+":0"), listen(t, ip+":0"), listen(t, ip+":0")
			var ca, cb collector
			ra, err := p.Add(a, ca.handle, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer ra.Remove()
			rb, err := p.Add(b, cb.handle, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer rb.Remove()
			var toA, toB [][]byte
			for i := range 40 {
				toA = append(toA, bytes.Repeat([]byte{byte(i)}, 100+i))
				toB = append(toB, bytes.Repeat([]byte{byte(200 + i%50)}, 1200))
			}
			send(t, from, a, toA...)
			send(t, from, b, toB...)
			sender := from.LocalAddr().(*net.UDPAddr).AddrPort()
			for name, c := range map[string]struct {
				col  *collector
				want [][]byte
			}{"a": {&ca, toA}, "b": {&cb, toB}} {
				got := c.col.waitFor(t, len(c.want))
				if len(got) != len(c.want) {
					t.Fatalf("%s: %d datagrams, want %d", name, len(got), len(c.want))
				}
				for i, d := range got {
					if !bytes.Equal(d.Buf, c.want[i]) || d.Truncated {
						t.Fatalf("%s: datagram %d is %d bytes (truncated %v), want the %d sent", name, i, len(d.Buf), d.Truncated, len(c.want[i]))
					}
					if d.From.Addr().Unmap() != sender.Addr() || d.From.Port() != sender.Port() {
						t.Fatalf("%s: datagram %d from %v, want %v", name, i, d.From, sender)
					}
				}
			}
		})
	}
}

// Datagrams that arrive while the poller pauses are taken together: fewer handler calls than
// datagrams, which is the point of the package.
func TestBatchesWhatArrivesDuringThePause(t *testing.T) {
	leak.CheckGoroutines(t, 2*time.Second)
	conn, from, c := collected(t, MaxInterval)
	rounds, reads, datagrams := metrics.RTPPollRounds.Value(), metrics.RTPPollReads.Value(), metrics.RTPPollDatagrams.Value()
	const n = 50
	for i := range n {
		send(t, from, conn, []byte{byte(i)})
	}
	got := c.waitFor(t, n)
	_, batches := c.snapshot()
	for i, d := range got {
		if d.Buf[0] != byte(i) {
			t.Fatalf("datagram %d carries %d: order lost", i, d.Buf[0])
		}
	}
	if batches >= n/2 {
		t.Errorf("%d datagrams came in %d handler calls; want batches", n, batches)
	}
	// The counters /metrics shows say the same: one read per batch, every datagram counted.
	rounds, reads, datagrams = metrics.RTPPollRounds.Value()-rounds, metrics.RTPPollReads.Value()-reads, metrics.RTPPollDatagrams.Value()-datagrams
	if datagrams != n || reads != uint64(batches) || rounds == 0 || rounds > reads {
		t.Errorf("counted %d rounds, %d reads, %d datagrams; want 1..%d rounds, %d reads, %d datagrams",
			rounds, reads, datagrams, batches, batches, n)
	}
	t.Logf("%d datagrams in %d batches, %d rounds", n, batches, rounds)
}

// A datagram longer than MaxDatagram is cut and says so.
func TestTruncated(t *testing.T) {
	leak.CheckGoroutines(t, 2*time.Second)
	conn, from, c := collected(t, 0)
	send(t, from, conn, make([]byte, MaxDatagram+100), []byte("next"))
	got := c.waitFor(t, 2)
	if !got[0].Truncated || len(got[0].Buf) != MaxDatagram {
		t.Errorf("long datagram: %d bytes, truncated %v; want %d, true", len(got[0].Buf), got[0].Truncated, MaxDatagram)
	}
	if got[1].Truncated || string(got[1].Buf) != "next" {
		t.Errorf("next datagram: %q truncated %v", got[1].Buf, got[1].Truncated)
	}
}

// Once Remove returns the handler is not running and never runs again, and the last Remove
// ends the goroutine.
func TestRemoveIsFinal(t *testing.T) {
	leak.CheckGoroutines(t, 2*time.Second)
	p, _ := New(time.Millisecond)
	conn, from := listen(t, "127.0.0.1:0"), listen(t, "127.0.0.1:0")
	var calls, inside atomic.Int64
	entered := make(chan struct{}, 1)
	r, err := p.Add(conn, func([]Datagram) {
		inside.Store(1)
		calls.Add(1)
		select {
		case entered <- struct{}{}:
		default:
		}
		time.Sleep(20 * time.Millisecond) // Remove comes while the handler runs
		inside.Store(0)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for {
			select {
			case <-stop:
				return
			default:
				_, _ = from.WriteToUDPAddrPort([]byte("x"), conn.LocalAddr().(*net.UDPAddr).AddrPort())
				time.Sleep(100 * time.Microsecond)
			}
		}
	}()
	<-entered
	r.Remove()
	if inside.Load() != 0 {
		t.Error("Remove returned while the handler ran")
	}
	after := calls.Load()
	time.Sleep(50 * time.Millisecond)
	close(stop)
	<-sent
	if got := calls.Load(); got != after {
		t.Errorf("handler ran %d times after Remove returned", got-after)
	}
	r.Remove() // twice: nothing
}

// A handler that panics is reported and costs nobody else anything, itself included.
func TestPanicIsContained(t *testing.T) {
	leak.CheckGoroutines(t, 2*time.Second)
	p, _ := New(time.Millisecond)
	bad, good, from := listen(t, "127.0.0.1:0"), listen(t, "127.0.0.1:0"), listen(t, "127.0.0.1:0")
	var panics atomic.Int64
	var seen atomic.Int64
	rb, err := p.Add(bad, func([]Datagram) { seen.Add(1); panic("boom") }, func(v any) {
		if v == "boom" {
			panics.Add(1)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	defer rb.Remove()
	var c collector
	rg, err := p.Add(good, c.handle, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rg.Remove()
	for i := range 5 {
		send(t, from, bad, []byte{byte(i)})
		time.Sleep(5 * time.Millisecond) // separate rounds: each panics
		send(t, from, good, []byte{byte(i)})
	}
	c.waitFor(t, 5)
	testutil.WaitFor(t, 5*time.Second, "every panic reported", func() bool { return panics.Load() == seen.Load() && seen.Load() >= 2 })
}

// The poller stops with its last socket and starts again with the next.
func TestRestartsAfterLastRemove(t *testing.T) {
	leak.CheckGoroutines(t, 2*time.Second)
	p, _ := New(time.Millisecond)
	from := listen(t, "127.0.0.1:0")
	for round := range 3 {
		conn := listen(t, "127.0.0.1:0")
		var c collector
		r, err := p.Add(conn, c.handle, nil)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		send(t, from, conn, []byte("hello"))
		c.waitFor(t, 1)
		r.Remove()
		conn.Close()
	}
}
