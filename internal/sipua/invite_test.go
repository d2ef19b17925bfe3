package sipua

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// inviteOf maps a validated startup to the INVITE the call actor asks for
// (actors/call/invite.go), with a fixed SDP body.
func inviteOf(s callapi.Startup, sdp []byte) Invite {
	return Invite{CallID: s.CallID, Callee: s.Callee, Domain: s.SIPDomain, Port: s.SIPPort,
		From: s.SIPLogin, DisplayName: s.VisibleName, Proxy: s.SIPOutboundProxy,
		AuthUser: s.SIPAuthName, Password: s.SIPPassword, SDP: sdp, Transport: s.SIPTransport,
		SessionExpires: 1800, MinSE: 90}
}

const testSDP = "v=0\r\no=sipcast 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 31000 RTP/AVP 0\r\n"

// expectedHeaders are the header lines buildInvite writes, in order: any other line would be one
// an input added.
var expectedHeaders = []string{"From", "To", "Call-ID", "Contact", "Content-Type", "Allow", "Supported",
	"Session-Expires", "Min-SE", "Route", "Content-Length"}

// checkInvite builds the INVITE of body (when callapi accepts it) and fails if its bytes hold a
// header or a request the input added, or do not read back to the values given.
func checkInvite(t *testing.T, body []byte) {
	s, err := callapi.ParseStartup(body)
	if err != nil {
		return // refused at the REST edge with a 400: nothing reaches SIP
	}
	u := &UA{cfg: Config{ContactIP: "127.0.0.1"}}
	tp := transport{name: "TCP", port: 5060}
	req, _, _, err := u.buildInvite(inviteOf(s, []byte(testSDP)), tp)
	if err != nil {
		return // a proxy sipua cannot route is refused before any byte is sent
	}
	wire := []byte(req.String())
	head, rest, ok := bytes.Cut(wire, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("no end of headers in\n%q", wire)
	}
	if string(rest) != testSDP {
		t.Fatalf("after the headers: %q, want exactly the SDP (a second request?)", rest)
	}
	lines := strings.Split(string(head), "\r\n")
	if !strings.HasPrefix(lines[0], "INVITE sip:") || !strings.HasSuffix(lines[0], " SIP/2.0") ||
		strings.Count(lines[0], " ") != 2 {
		t.Fatalf("request line %q", lines[0])
	}
	seen := 0
	for _, line := range lines[1:] {
		if strings.ContainsAny(line, "\r\n\x00") {
			t.Fatalf("bare CR, LF or NUL in header line %q", line)
		}
		name, _, ok := strings.Cut(line, ":")
		for ok && seen < len(expectedHeaders) && expectedHeaders[seen] != name {
			seen++
		}
		if !ok || seen == len(expectedHeaders) {
			t.Fatalf("header line %q is not one sipcast writes (input added a header?)\n%s", line, head)
		}
		seen++
	}
	msg, err := sip.ParseMessage(wire)
	if err != nil {
		t.Fatalf("the INVITE does not parse: %v\n%s", err, wire)
	}
	parsed, ok := msg.(*sip.Request)
	if !ok {
		t.Fatalf("parsed as %T", msg)
	}
	if got := parsed.CallID(); got == nil || got.Value() != s.CallID {
		t.Fatalf("Call-ID read back %v, want %q", got, s.CallID)
	}
	if parsed.Recipient.User != s.Callee {
		t.Fatalf("Request-URI user read back %q, want %q", parsed.Recipient.User, s.Callee)
	}
	if n := len(parsed.GetHeaders("From")); n != 1 {
		t.Fatalf("%d From headers", n)
	}
}

// hostileBodies put what an attacker would into each field that reaches SIP (issue 12: a
// visibleName with CRLF smuggled a header, and over TCP a whole BYE).
var hostileBodies = []string{
	`{"callee":"1001","sipDomain":"127.0.0.1","visibleName":"Eve\r\nX-Evil: 1"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","visibleName":"Eve\" <sip:boss@corp>;tag=1\r\n\r\nBYE sip:x SIP/2.0"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","visibleName":"a \"quoted\" \\ name"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","visibleName":"Zoë \u2028 next"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","visibleName":"nel\u0085x"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","callId":"abc\r\nVia: x"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","callId":"a;b,c"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","callId":"id@host"}`,
	`{"callee":"1001\r\nX: y","sipDomain":"127.0.0.1"}`,
	`{"callee":"10%0D%0A01","sipDomain":"127.0.0.1"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1>\r\nX: y"}`,
	`{"callee":"1001","sipDomain":"::ffff:127.0.0.1"}`,
	`{"callee":"1001","sipDomain":"::1"}`,
	`{"callee":"1001","sipDomain":"[2001:db8::1]"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","sipOutboundProxy":"::1"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","sipOutboundProxy":"[::1]:5080"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","sipOutboundProxy":"p;lr>\r\nX: y"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","sipLogin":"a\r\nb"}`,
	`{"callee":"1001","sipDomain":"127.0.0.1","sipLogin":"alice","visibleName":"Alice"}`,
}

func TestHostileStartupMakesCleanInvite(t *testing.T) {
	for _, b := range hostileBodies {
		t.Run(b, func(t *testing.T) { checkInvite(t, []byte(b)) })
	}
}

// TestDisplayNameRoundTrip: a display name with quotes and backslashes is escaped, and reads
// back as given.
func TestDisplayNameRoundTrip(t *testing.T) {
	name := `a "quoted" \ name`
	body, _ := json.Marshal(map[string]string{"callee": "1001", "sipDomain": "127.0.0.1", "visibleName": name})
	s, err := callapi.ParseStartup(body)
	if err != nil {
		t.Fatal(err)
	}
	u := &UA{cfg: Config{ContactIP: "127.0.0.1"}}
	req, _, _, err := u.buildInvite(inviteOf(s, []byte(testSDP)), transport{name: "UDP", port: 5060})
	if err != nil {
		t.Fatal(err)
	}
	want := `From: "a \"quoted\" \\ name" <sip:sipcast@127.0.0.1>`
	if !strings.Contains(req.String(), want) {
		t.Fatalf("From not escaped; want %s in\n%s", want, req.String())
	}
}

func FuzzStartupInvite(f *testing.F) {
	for _, b := range hostileBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkInvite(t, body) })
}
