package device

import (
	"net"
	"sync"
	"sync/atomic"
)

// maxPairAttempts bounds the search for an even RTP port whose odd
// neighbour is free for RTCP; half the ephemeral ports are even, so a
// handful of tries is the norm even on a busy host.
const maxPairAttempts = 64

// maxDatagram is the read buffer of the discard loops: anything an RTP or
// RTCP peer sends on loopback fits; longer datagrams are cut, which is fine
// since they are thrown away.
const maxDatagram = 2048

// portPair is the device's RTP socket (even port, also used to send, so the
// caller sees symmetric RTP) and its RTCP socket (port+1). Both are read and
// discarded so the caller's RTP and RTCP meet an open port, not ICMP errors.
type portPair struct {
	rtp, rtcp *net.UDPConn
}

func listenPair(ip net.IP) (*portPair, error) {
	for range maxPairAttempts {
		rtp, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip})
		if err != nil {
			return nil, err
		}
		port := rtp.LocalAddr().(*net.UDPAddr).Port
		if port%2 != 0 || port == 65535 {
			_ = rtp.Close()
			continue
		}
		rtcp, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: port + 1})
		if err != nil {
			_ = rtp.Close()
			continue
		}
		return &portPair{rtp: rtp, rtcp: rtcp}, nil
	}
	return nil, ErrNoPortPair
}

func (p *portPair) port() int { return p.rtp.LocalAddr().(*net.UDPAddr).Port }

// discard reads both sockets until they are closed, counting datagrams.
func (p *portPair) discard(wg *sync.WaitGroup, count *atomic.Uint64) {
	for _, c := range []*net.UDPConn{p.rtp, p.rtcp} {
		wg.Go(func() {
			buf := make([]byte, maxDatagram)
			for {
				if _, _, err := c.ReadFromUDP(buf); err != nil {
					// Closed by the call, or broken: either way the port
					// stays bound until close, so no ICMP error goes out.
					return
				}
				count.Add(1)
			}
		})
	}
}

func (p *portPair) close() {
	_ = p.rtp.Close()
	_ = p.rtcp.Close()
}
