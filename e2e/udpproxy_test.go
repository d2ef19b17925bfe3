package e2e

import (
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
)

// udpProxy stands between a media sender and sipcast's RTP/RTCP port pair, as a network would:
// it delays, reorders and drops datagrams. It listens on Port (RTP) and Port+1 (RTCP) and
// forwards to the target pair. RTCP is only delayed: the impairment is for the media.
type udpProxy struct {
	Port  int
	imp   impairment
	conns []*net.UDPConn
	wg    sync.WaitGroup
	mu    sync.Mutex
	stats proxyStats
}

// impairment is what the proxy does to RTP datagrams.
type impairment struct {
	delay   time.Duration // added to every datagram
	drop    float64       // share of RTP datagrams dropped
	reorder float64       // share of RTP datagrams held back behind the next two
	seed    uint64
}

type proxyStats struct{ forwarded, dropped, reordered int }

func startUDPProxy(t *testing.T, target *net.UDPAddr, imp impairment) *udpProxy {
	t.Helper()
	p := &udpProxy{Port: peers.FreeUDPPorts(t, 2), imp: imp}
	for i := range 2 {
		in, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p.Port + i})
		if err != nil {
			t.Fatal(err)
		}
		out, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: target.IP, Port: target.Port + i})
		if err != nil {
			t.Fatal(err)
		}
		p.conns = append(p.conns, in, out)
		rtp := i == 0
		rnd := rand.New(rand.NewPCG(imp.seed, uint64(i)))
		p.wg.Go(func() { p.run(in, out, rtp, rnd) })
	}
	t.Cleanup(p.close)
	return p
}

func (p *udpProxy) run(in, out *net.UDPConn, rtp bool, rnd *rand.Rand) {
	buf := make([]byte, 2048)
	var held [][]byte // reordered datagrams, sent after the next two
	behind := 0
	for {
		n, err := in.Read(buf)
		if err != nil {
			return // closed
		}
		pkt := append([]byte(nil), buf[:n]...)
		if rtp && rnd.Float64() < p.imp.drop {
			p.count(func(s *proxyStats) { s.dropped++ })
			continue
		}
		if rtp && len(held) == 0 && rnd.Float64() < p.imp.reorder {
			held, behind = append(held, pkt), 0
			p.count(func(s *proxyStats) { s.reordered++ })
			continue
		}
		p.send(out, pkt)
		if len(held) > 0 {
			if behind++; behind == 2 {
				for _, h := range held {
					p.send(out, h)
				}
				held = held[:0]
			}
		}
	}
}

// send forwards after the delay. Timers of equal delay fire in order closely enough; the
// jitter buffer downstream is there for what they do not.
func (p *udpProxy) send(out *net.UDPConn, pkt []byte) {
	p.count(func(s *proxyStats) { s.forwarded++ })
	if p.imp.delay == 0 {
		_, _ = out.Write(pkt)
		return
	}
	time.AfterFunc(p.imp.delay, func() { _, _ = out.Write(pkt) })
}

func (p *udpProxy) count(f func(*proxyStats)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(&p.stats)
}

func (p *udpProxy) Stats() proxyStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

func (p *udpProxy) close() {
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.wg.Wait()
}
