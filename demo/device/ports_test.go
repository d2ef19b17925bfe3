package device

import (
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestListenPairIsEvenOddAndDiscards(t *testing.T) {
	p, err := listenPair(net.IPv4(127, 0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if p.port()%2 != 0 || p.rtcp.LocalAddr().(*net.UDPAddr).Port != p.port()+1 {
		t.Errorf("ports %v %v", p.rtp.LocalAddr(), p.rtcp.LocalAddr())
	}
	var wg sync.WaitGroup
	var n atomic.Uint64
	p.discard(&wg, &n)
	for _, c := range []*net.UDPConn{p.rtp, p.rtcp} {
		s, err := net.DialUDP("udp", nil, c.LocalAddr().(*net.UDPAddr))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Write([]byte{0x80, 0xc9, 0, 1}); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	deadline := time.Now().Add(2 * time.Second)
	for n.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n.Load() != 2 {
		t.Errorf("discarded %d datagrams, want 2", n.Load())
	}
	p.close()
	wg.Wait() // the discard loops end on close
}
