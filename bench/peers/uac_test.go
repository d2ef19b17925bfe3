package peers

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// uac is a bare-bones SIP UDP client standing in for the gateway, just
// enough to drive the scenarios: it sends hand-written requests and reads
// whatever comes back.
type uac struct {
	t       *testing.T
	peer    *SIPp // whose logs a failure shows
	conn    *net.UDPConn
	remote  *net.UDPAddr
	ruri    string // the INVITE's Request-URI
	callID  string
	fromTag string
	branch  string // the INVITE transaction's branch (CANCEL and non-2xx ACK reuse it)
	toTag   string // the callee's tag once a response carries one
	contact string // the callee's Contact URI from a 2xx
	cseq    int
}

// sipMsg is a parsed SIP message.
type sipMsg struct {
	raw     string
	code    int    // responses
	method  string // requests, or the CSeq method of a response
	ruri    string // requests
	headers map[string]string
	body    string
}

func (m *sipMsg) header(name string) string { return m.headers[strings.ToLower(name)] }

func newUAC(t *testing.T, peer *SIPp) *uac {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	port := peer.Port
	return &uac{
		t:       t,
		peer:    peer,
		conn:    conn,
		remote:  &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port},
		ruri:    fmt.Sprintf("sip:callee@127.0.0.1:%d", port),
		callID:  randHex(8) + "@sipcast.test",
		fromTag: randHex(4),
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (u *uac) localPort() int { return u.conn.LocalAddr().(*net.UDPAddr).Port }

// request sends a request. body, when set, is SDP.
func (u *uac) request(method, ruri, branch, toTag string, cseq int, body string) {
	u.t.Helper()
	to := "<" + u.ruri + ">"
	if toTag != "" {
		to += ";tag=" + toTag
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s SIP/2.0\r\n", method, ruri)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n", u.localPort(), branch)
	fmt.Fprintf(&b, "Max-Forwards: 70\r\n")
	fmt.Fprintf(&b, "From: \"gw\" <sip:gw@127.0.0.1:%d>;tag=%s\r\n", u.localPort(), u.fromTag)
	fmt.Fprintf(&b, "To: %s\r\n", to)
	fmt.Fprintf(&b, "Call-ID: %s\r\n", u.callID)
	fmt.Fprintf(&b, "CSeq: %d %s\r\n", cseq, method)
	fmt.Fprintf(&b, "Contact: <sip:gw@127.0.0.1:%d>\r\n", u.localPort())
	if body != "" {
		b.WriteString("Content-Type: application/sdp\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	if _, err := u.conn.WriteToUDP([]byte(b.String()), u.remote); err != nil {
		u.t.Fatal(err)
	}
}

func newBranch() string { return "z9hG4bK" + randHex(6) }

// invite sends the INVITE; sdp may be empty.
func (u *uac) invite(sdp string) {
	u.t.Helper()
	u.cseq = 1
	u.branch = newBranch()
	u.request("INVITE", u.ruri, u.branch, "", u.cseq, sdp)
}

// ack acknowledges the final response r to the INVITE.
func (u *uac) ack(r *sipMsg) {
	u.t.Helper()
	if r.code >= 200 && r.code < 300 {
		// A new transaction to the Contact (RFC 3261 13.2.2.4).
		u.request("ACK", u.contact, newBranch(), u.toTag, u.cseq, "")
		return
	}
	// Part of the INVITE transaction (RFC 3261 17.1.1.3).
	u.request("ACK", u.ruri, u.branch, u.toTag, u.cseq, "")
}

// cancel cancels the pending INVITE (RFC 3261 9.1).
func (u *uac) cancel() {
	u.t.Helper()
	u.request("CANCEL", u.ruri, u.branch, "", u.cseq, "")
}

// bye ends the dialog.
func (u *uac) bye() {
	u.t.Helper()
	u.request("BYE", u.contact, newBranch(), u.toTag, u.cseq+1, "")
}

// reply answers a request from the callee.
func (u *uac) reply(req *sipMsg, code int, reason string) {
	u.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", code, reason)
	for _, h := range []string{"Via", "From", "To", "Call-ID", "CSeq"} {
		fmt.Fprintf(&b, "%s: %s\r\n", h, req.header(h))
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	if _, err := u.conn.WriteToUDP([]byte(b.String()), u.remote); err != nil {
		u.t.Fatal(err)
	}
}

// read returns the next SIP message, or an error at the deadline.
func (u *uac) read(deadline time.Time) (*sipMsg, error) {
	buf := make([]byte, 65535)
	if err := u.conn.SetReadDeadline(deadline); err != nil {
		return nil, err
	}
	n, _, err := u.conn.ReadFromUDP(buf)
	if err != nil {
		return nil, err
	}
	m, err := parseSIP(string(buf[:n]))
	if err != nil {
		return nil, err
	}
	if tag := toTag(m.header("To")); tag != "" && m.code > 100 {
		u.toTag = tag
	}
	if m.code >= 200 && m.code < 300 && m.method == "INVITE" {
		if c := contactURI(m.header("Contact")); c != "" {
			u.contact = c
		}
	}
	return m, nil
}

// expectResponse reads until a response with the code to method arrives,
// skipping anything else (provisional responses, retransmissions).
func (u *uac) expectResponse(code int, method string, within time.Duration) *sipMsg {
	u.t.Helper()
	deadline := time.Now().Add(within)
	var seen []string
	for {
		m, err := u.read(deadline)
		if err != nil {
			u.t.Fatalf("waiting for %d to %s: %v; seen: %q\n%s", code, method, err, seen, u.peer.logs())
		}
		if m.code == code && m.method == method {
			return m
		}
		seen = append(seen, firstLine(m.raw))
	}
}

// expectRequest reads until a request with method arrives.
func (u *uac) expectRequest(method string, within time.Duration) *sipMsg {
	u.t.Helper()
	deadline := time.Now().Add(within)
	var seen []string
	for {
		m, err := u.read(deadline)
		if err != nil {
			u.t.Fatalf("waiting for %s: %v; seen: %q\n%s", method, err, seen, u.peer.logs())
		}
		if m.code == 0 && m.method == method {
			return m
		}
		seen = append(seen, firstLine(m.raw))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

func parseSIP(raw string) (*sipMsg, error) {
	head, body, _ := strings.Cut(raw, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	m := &sipMsg{raw: raw, body: body, headers: map[string]string{}}
	start := strings.Fields(lines[0])
	if len(start) < 3 {
		return nil, fmt.Errorf("bad start line %q", lines[0])
	}
	if start[0] == "SIP/2.0" {
		code, err := strconv.Atoi(start[1])
		if err != nil {
			return nil, fmt.Errorf("bad status line %q", lines[0])
		}
		m.code = code
	} else {
		m.method, m.ruri = start[0], start[1]
	}
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		key := strings.ToLower(strings.TrimSpace(name))
		if _, dup := m.headers[key]; !dup {
			m.headers[key] = strings.TrimSpace(value)
		}
	}
	if m.code != 0 {
		if f := strings.Fields(m.header("CSeq")); len(f) == 2 {
			m.method = f[1]
		}
	}
	return m, nil
}

func toTag(to string) string {
	_, after, ok := strings.Cut(to, ";tag=")
	if !ok {
		return ""
	}
	tag, _, _ := strings.Cut(after, ";")
	return tag
}

func contactURI(contact string) string {
	if i := strings.IndexByte(contact, '<'); i >= 0 {
		if j := strings.IndexByte(contact[i:], '>'); j > 0 {
			return contact[i+1 : i+j]
		}
	}
	uri, _, _ := strings.Cut(contact, ";")
	return strings.TrimSpace(uri)
}

// offer is the gateway's SDP offer as in the spec: audio PT 8 and 0, video
// PT 112 (mode 1) and 113 (mode 0), sendrecv.
func offer(audioPort, videoPort int) string {
	return strings.Join([]string{
		"v=0",
		"o=sipcast 0 1 IN IP4 127.0.0.1",
		"s=sipcast",
		"c=IN IP4 127.0.0.1",
		"t=0 0",
		fmt.Sprintf("m=audio %d RTP/AVP 8 0", audioPort),
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:0 PCMU/8000",
		"a=ptime:20",
		fmt.Sprintf("a=rtcp:%d", audioPort+1),
		"a=sendrecv",
		fmt.Sprintf("m=video %d RTP/AVP 112 113", videoPort),
		"a=rtpmap:112 H264/90000",
		"a=fmtp:112 packetization-mode=1; profile-level-id=420020",
		"a=rtpmap:113 H264/90000",
		"a=fmtp:113 packetization-mode=0; profile-level-id=420020",
		"a=rtcp-fb:* ccm fir",
		"a=rtcp-fb:* nack",
		"a=rtcp-fb:* nack pli",
		fmt.Sprintf("a=rtcp:%d", videoPort+1),
		"a=sendrecv",
	}, "\r\n") + "\r\n"
}

// sdpPorts returns the ports of the m=audio and m=video lines.
func sdpPorts(sdp string) (audio, video int) {
	for _, l := range strings.Split(sdp, "\n") {
		f := strings.Fields(strings.TrimSpace(l))
		if len(f) < 2 {
			continue
		}
		p, _ := strconv.Atoi(f[1])
		switch f[0] {
		case "m=audio":
			audio = p
		case "m=video":
			video = p
		}
	}
	return audio, video
}
