//go:build !linux

package udppoll

import (
	"net"
	"sync"
	"time"
)

// Poller, away from Linux, reads each socket on a goroutine of its own, one datagram at a time:
// the batching needs epoll and recvmmsg. The interval is accepted and unused.
type Poller struct{}

type reg struct {
	conn    *net.UDPConn
	handle  Handler
	onPanic func(any)
	mu      sync.Mutex // held while the handler runs, and by Remove
	removed bool
}

// New makes a poller; interval must be within 0..MaxInterval as on Linux.
func New(interval time.Duration) (*Poller, error) {
	if err := checkInterval(interval); err != nil {
		return nil, err
	}
	return &Poller{}, nil
}

// Add starts reading conn and handing its datagrams to h.
func (p *Poller) Add(conn *net.UDPConn, h Handler, onPanic func(any)) (*Registration, error) {
	r := &reg{conn: conn, handle: h, onPanic: onPanic}
	go r.loop()
	return &Registration{p: p, r: r}, nil
}

func (p *Poller) remove(r *reg) {
	r.mu.Lock()
	r.removed = true
	r.mu.Unlock()
	// The reader may sit in ReadFrom until the socket closes; it delivers nothing more.
}

func (r *reg) loop() {
	buf := make([]byte, MaxDatagram+1)
	batch := make([]Datagram, 1)
	for {
		n, from, err := r.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		r.mu.Lock()
		if r.removed {
			r.mu.Unlock()
			return
		}
		batch[0] = Datagram{Buf: buf[:min(n, MaxDatagram)], From: from, Truncated: n > MaxDatagram}
		r.deliver(batch)
		r.mu.Unlock()
	}
}
