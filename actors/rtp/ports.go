package rtp

import (
	"fmt"
	"net"
	"sync"
)

// rtpReadBuffer is the receive buffer asked for each RTP socket: a cap the kernel fills only
// under a burst, not memory taken per call.
const rtpReadBuffer = 1 << 20

// Pair is an RTP socket and its RTCP socket on the next port, as RFC 3550 pairs them
// (RTP even, RTCP = RTP+1) and as the spec's SDP advertises them.
type Pair struct {
	RTP, RTCP *net.UDPConn
	Port      int
	closed    bool
}

// Close closes both sockets.
func (p *Pair) Close() {
	if p == nil {
		return
	}
	p.closed = true
	_ = p.RTP.Close()
	_ = p.RTCP.Close()
}

// Closed reports whether Close was called (and the pair not reopened since).
func (p *Pair) Closed() bool { return p.closed }

// Ports hands out RTP/RTCP port pairs from a range shared by every call. It is a plain mutexed
// struct rather than an actor: binding a UDP socket never blocks, and every call needs it at once.
type Ports struct {
	IP       net.IP
	min, max int
	mu       sync.Mutex
	next     int
}

// NewPorts makes an allocator over [min, max]; min is rounded up to even.
func NewPorts(ip net.IP, min, max int) (*Ports, error) {
	if min%2 != 0 {
		min++
	}
	if min < 1024 || max > 65535 || max-min < 1 {
		return nil, fmt.Errorf("%w: %d-%d", ErrBadRange, min, max)
	}
	return &Ports{IP: ip, min: min, max: max, next: min}, nil
}

// Bind binds the next free pair. Ports still held by another process or call are skipped, so
// the range needs no bookkeeping of its own: the kernel is the source of truth.
func (p *Ports) Bind() (*Pair, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	span := (p.max - p.min + 1) / 2
	for i := 0; i < span; i++ {
		port := p.next
		p.next += 2
		if p.next+1 > p.max {
			p.next = p.min
		}
		rtpConn, err := net.ListenUDP("udp", &net.UDPAddr{IP: p.IP, Port: port})
		if err != nil {
			continue
		}
		rtcpConn, err := net.ListenUDP("udp", &net.UDPAddr{IP: p.IP, Port: port + 1})
		if err != nil {
			_ = rtpConn.Close()
			continue
		}
		// A video keyframe arrives as a burst of a hundred packets or more; the default
		// receive buffer (208 KiB) overflows when the reader is descheduled for a moment
		// on a loaded machine. The kernel caps the request at net.core.rmem_max.
		_ = rtpConn.SetReadBuffer(rtpReadBuffer)
		return &Pair{RTP: rtpConn, RTCP: rtcpConn, Port: port}, nil
	}
	return nil, ErrNoPorts
}
