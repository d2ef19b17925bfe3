package peers

import (
	"fmt"
	"net"
	"sync"
	"testing"
)

// handedOut remembers every port given out by this process, so that two
// parallel tests never get the same one even if the kernel reuses it.
var handedOut = struct {
	sync.Mutex
	ports map[int]bool
}{ports: map[int]bool{}}

const portTries = 100

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	return freePorts(t, "udp", 1)
}

// FreeTCPPort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreeTCPPort(t testing.TB) int {
	t.Helper()
	return freePorts(t, "tcp", 1)
}

// FreeUDPPorts returns an even port p such that p … p+n-1 were all free on
// 127.0.0.1 (an RTP/RTCP pair, or SIPp's audio and video pairs with n = 4).
func FreeUDPPorts(t testing.TB, n int) int {
	t.Helper()
	return freePorts(t, "udp", n)
}

// PickTCPPort is FreeTCPPort for programs outside a test (the benchmark
// harness): the same bookkeeping, an error instead of a failed test.
func PickTCPPort() (int, error) { return pickPorts("tcp", 1) }

// PickUDPPorts is FreeUDPPorts for programs outside a test.
func PickUDPPorts(n int) (int, error) { return pickPorts("udp", n) }

func freePorts(t testing.TB, network string, n int) int {
	t.Helper()
	p, err := pickPorts(network, n)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func pickPorts(network string, n int) (int, error) {
	handedOut.Lock()
	defer handedOut.Unlock()
	for range portTries {
		// Let the kernel pick, then round down to an even base and hold
		// the other ports of the range while checking them.
		p0, c0, err := listen(network, 0)
		if err != nil {
			return 0, fmt.Errorf("free %s port: %w", network, err)
		}
		base := p0
		if n > 1 {
			base = p0 &^ 1
		}
		closers := []func(){c0}
		ok := base+n-1 <= 65535
		for i := 0; ok && i < n; i++ {
			p := base + i
			if handedOut.ports[p] {
				ok = false
				break
			}
			if p == p0 {
				continue
			}
			_, c, err := listen(network, p)
			if err != nil {
				ok = false
				break
			}
			closers = append(closers, c)
		}
		for _, c := range closers {
			c()
		}
		if ok {
			for i := range n {
				handedOut.ports[base+i] = true
			}
			return base, nil
		}
	}
	return 0, fmt.Errorf("no free %s port range of %d after %d tries", network, n, portTries)
}

func listen(network string, port int) (int, func(), error) {
	addr := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	if network == "tcp" {
		l, err := net.ListenTCP("tcp4", (*net.TCPAddr)(addr))
		if err != nil {
			return 0, nil, err
		}
		return l.Addr().(*net.TCPAddr).Port, func() { l.Close() }, nil
	}
	c, err := net.ListenUDP("udp4", addr)
	if err != nil {
		return 0, nil, err
	}
	return c.LocalAddr().(*net.UDPAddr).Port, func() { c.Close() }, nil
}
