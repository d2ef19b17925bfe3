package udppoll

import (
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
)

// BenchmarkRound: one datagram to each of 50 sockets, read by the poller (no pause) and
// delivered; per datagram. The sender's sendto is in the figure, as in actors/rtp SocketRead.
func BenchmarkRound(b *testing.B) {
	const sockets = 50
	p, _ := New(0)
	from := listen(b, "127.0.0.1:0")
	var delivered atomic.Int64
	to := make([]netip.AddrPort, sockets)
	for i := range to {
		c := listen(b, "127.0.0.1:0")
		r, err := p.Add(c, func(batch []Datagram) { delivered.Add(int64(len(batch))) }, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(r.Remove)
		to[i] = c.LocalAddr().(*net.UDPAddr).AddrPort()
	}
	payload := make([]byte, 1200)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		for _, a := range to {
			_, _ = from.WriteToUDPAddrPort(payload, a)
		}
		want := int64(i+1) * sockets
		for delivered.Load() < want {
			// spin: the poller runs on the other core
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*sockets), "ns/datagram")
}
