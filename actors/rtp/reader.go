package rtp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime/debug"
	"time"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/internal/udppoll"
)

// maxDatagram is the largest RTCP datagram read, as the poller's for RTP: RTP over Ethernet
// never exceeds the MTU, but a jumbo-frame LAN or loopback may carry more.
const maxDatagram = udppoll.MaxDatagram

// Sizes of the reader's allocation blocks (see readArena).
const (
	// arenaBytes holds about 13 video packets (ffmpeg-sized, ≤ 1200 bytes) or 90 G.711 ones. A
	// datagram longer than a quarter of it gets an allocation of its own, so a block is never
	// mostly wasted.
	arenaBytes = 16 << 10
	// arenaMsgs is the packetRead messages cut from one allocation.
	arenaMsgs = 32
)

// readArena cuts the reader's per-datagram memory (the copy of the datagram and its message) out
// of larger blocks: one allocation per arenaBytes of datagrams and one per arenaMsgs messages,
// instead of two per datagram, on the path every RTP packet of every call takes. A block is never
// reused: the garbage collector frees it once every message cut from it is unreachable, so the
// actor may keep a message for as long as it likes. Not safe for concurrent use: one per reader.
type readArena struct {
	bytes []byte
	msgs  []packetRead
}

// copyOf returns a copy of b. Its capacity ends with it, so a holder that appends to it gets a new
// array rather than overwriting the next datagram.
func (r *readArena) copyOf(b []byte) []byte {
	if len(b) > arenaBytes/4 {
		return append([]byte(nil), b...)
	}
	if len(b) > cap(r.bytes)-len(r.bytes) {
		r.bytes = make([]byte, 0, arenaBytes)
	}
	start := len(r.bytes)
	r.bytes = append(r.bytes, b...)
	return r.bytes[start:len(r.bytes):len(r.bytes)]
}

// msg returns a zeroed message.
func (r *readArena) msg() *packetRead {
	if len(r.msgs) == 0 {
		r.msgs = make([]packetRead, arenaMsgs)
	}
	m := &r.msgs[0]
	r.msgs = r.msgs[1:]
	return m
}

// rtpReader turns the RTP socket's datagrams into messages to the actor. The process's poller
// (internal/udppoll) calls it with each batch the socket had waiting, on the poller's goroutine;
// the poller never runs two batches of one socket at once, so the arena and the last sender
// are this reader's alone and need no lock.
//
// This runs once per RTP packet of every call, so it allocates as little as it can: datagram
// copies and messages come from a readArena, and the sender's address is decoded into a
// netip.AddrPort and turned into a *net.UDPAddr (which the actor logs with the first packet)
// only when it differs from the previous datagram's.
type rtpReader struct {
	a     *Actor
	arena readArena
	last  netip.AddrPort
}

func (r *rtpReader) handle(batch []udppoll.Datagram) {
	a := r.a
	root := a.system.Root
	now := a.cfg.Now()
	for _, d := range batch {
		if d.Truncated {
			metrics.MediaRejected.With(metrics.RejectedTruncated).Inc()
			continue
		}
		m := r.arena.msg()
		m.buf, m.arrival = r.arena.copyOf(d.Buf), now.Add(-d.Age) // when it came, not when it was read
		if d.From != r.last {
			m.from, r.last = unmapped(d.From), d.From
		}
		root.Send(a.self, m)
	}
}

// panicked reports a panic of handle as a reader's: the actor fails and its supervisor restarts
// it, which registers the socket again.
func (r *rtpReader) panicked(v any) {
	a := r.a
	metrics.GoroutinePanics.With("rtp_reader").Inc()
	a.log.Error("goroutine panicked", "goroutine", "reader", "panic", v, "stack", string(debug.Stack()))
	a.system.Root.Send(a.self, &readFailed{err: fmt.Errorf("%w: reader: %v", ErrPanicked, v)})
}

// rtcpLoop reads the RTCP socket until it is closed: a few reports a second, so a goroutine of
// its own and a fresh copy of each is cheap.
func (a *Actor) rtcpLoop(conn *net.UDPConn) {
	defer a.readers.Done()
	defer a.recoverGoroutine("reader", func(err error) any { return &readFailed{rtcp: true, err: err} })
	scratch := make([]byte, maxDatagram)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(scratch)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				a.system.Root.Send(a.self, &readFailed{rtcp: true, err: err})
			}
			return
		}
		a.system.Root.Send(a.self, &rtcpRead{buf: append([]byte(nil), scratch[:n]...), from: unmapped(from)})
	}
}

// unmapped is a datagram's source as a *net.UDPAddr; unmapped because a dual-stack socket
// reports IPv4 senders as ::ffff:a.b.c.d.
func unmapped(from netip.AddrPort) *net.UDPAddr {
	return net.UDPAddrFromAddrPort(netip.AddrPortFrom(from.Addr().Unmap(), from.Port()))
}

// tickLoop drives receiver reports and keyframe retries.
func (a *Actor) tickLoop(stop <-chan struct{}) {
	t := time.NewTicker(keyframeRetry)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			a.system.Root.Send(a.self, &reportTick{})
		}
	}
}

// recoverGoroutine turns a panic in an owned goroutine into a message to the actor (report
// builds it): protoactor supervises panics inside Receive only, and a reader that died silently
// would leave the line deaf. The actor fails on the message and its supervisor restarts it,
// which reopens the port and starts fresh readers.
func (a *Actor) recoverGoroutine(name string, report func(err error) any) {
	r := recover()
	if r == nil {
		return
	}
	metrics.GoroutinePanics.With("rtp_" + name).Inc()
	a.log.Error("goroutine panicked", "goroutine", name, "panic", r, "stack", string(debug.Stack()))
	a.system.Root.Send(a.self, report(fmt.Errorf("%w: %s: %v", ErrPanicked, name, r)))
}
