package sipua

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// The UA's server side over a real loopback socket: what a device that sends requests outside
// any dialog of ours gets back. (The dialogs themselves are tested end to end against SIPp,
// kamailio and baresip.)

func newTestUA(t *testing.T) *UA {
	t.Helper()
	u, err := New(Config{ListenIP: "127.0.0.1", Port: 0})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	return u
}

// exchange sends a raw request from a fresh UDP socket and returns the first final response.
func exchange(t *testing.T, u *UA, method, toTag string) string {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	local := c.LocalAddr().(*net.UDPAddr)
	to := "<sip:gw@127.0.0.1>"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	req := fmt.Sprintf("%s sip:gw@127.0.0.1:%d SIP/2.0\r\n"+
		"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%d;rport\r\n"+
		"From: <sip:dev@127.0.0.1>;tag=devtag\r\nTo: %s\r\nCall-ID: test-%s@127.0.0.1\r\n"+
		"CSeq: 1 %s\r\nContact: <sip:dev@127.0.0.1:%d>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		method, u.Addr().Port, local.Port, method, time.Now().UnixNano(), to, method, method, local.Port)
	if _, err := c.WriteToUDP([]byte(req), u.Addr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		n, _, err := c.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("%s: no answer: %v", method, err)
		}
		if res := string(buf[:n]); !strings.HasPrefix(res, "SIP/2.0 1") {
			return res
		}
	}
}

func TestServerAnswersOutsideDialogs(t *testing.T) {
	u := newTestUA(t)
	for _, tc := range []struct {
		method, toTag, status string
		headers               []string
	}{
		{"OPTIONS", "", "SIP/2.0 200 OK", []string{"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO", "Supported: timer"}},
		{"OPTIONS", "nosuch", "SIP/2.0 481", nil},
		{"INVITE", "", "SIP/2.0 603", nil},
		{"INVITE", "nosuch", "SIP/2.0 481", nil},
		{"UPDATE", "nosuch", "SIP/2.0 481", nil},
		{"INFO", "nosuch", "SIP/2.0 481", nil},
		{"BYE", "nosuch", "SIP/2.0 481", nil},
	} {
		res := exchange(t, u, tc.method, tc.toTag)
		if !strings.HasPrefix(res, tc.status) {
			t.Errorf("%s (to-tag %q): %s", tc.method, tc.toTag, firstLine(res))
		}
		for _, h := range tc.headers {
			if !strings.Contains(res, h) {
				t.Errorf("%s: no %q in\n%s", tc.method, h, res)
			}
		}
	}
}

func TestTransports(t *testing.T) {
	u := newTestUA(t)
	for name, want := range map[string]string{"": "UDP", "udp": "UDP", "TCP": "TCP"} {
		if tp, err := u.transport(name); err != nil || tp.name != want {
			t.Errorf("%q: %v %v", name, tp.name, err)
		}
	}
	for _, name := range []string{"tls", "sctp"} {
		if _, err := u.transport(name); err == nil {
			t.Errorf("%q accepted", name)
		}
	}
	tcp, _ := u.transport("tcp")
	if c := u.contact("gw", tcp); c.Address.UriParams.GetOr("transport", "") != "tcp" || c.Address.Port != u.Addr().Port {
		t.Errorf("TCP contact %s", c.Address.String())
	}
	if r, err := proxyURI("10.0.0.1:5070", "TCP"); err != nil || r.String() != "sip:10.0.0.1:5070;transport=tcp;lr" {
		t.Errorf("proxy route %v %v", r, err)
	}
	if r, err := proxyURI("proxy.example", "UDP"); err != nil || r.String() != "sip:proxy.example;lr" {
		t.Errorf("proxy route %v %v", r, err)
	}
}

func TestStale(t *testing.T) {
	for chal, want := range map[string]bool{
		`Digest realm="a", nonce="n", stale=true`:   true,
		`Digest realm="a", nonce="n", stale="TRUE"`: true,
		`Digest realm="a", nonce="n", stale=false`:  false,
		`Digest realm="stale=true", nonce="n"`:      false,
		`Digest realm="a", nonce="n"`:               false,
	} {
		if got := stale(chal); got != want {
			t.Errorf("%s: %v", chal, got)
		}
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}
