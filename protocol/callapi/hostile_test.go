package callapi

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/sipcast/sipcast/protocol/sipheader"
)

// hostileCases: what an attacker puts into each field that reaches a SIP header (issue 12),
// and what the REST edge must do: refuse with ErrInvalid, or accept a value normalised to
// RFC 3261's grammar (want, when set).
var hostileCases = []struct {
	field, value string
	refused      bool
	want         string // the normalised value, when accepted and different
}{
	{"visibleName", "Eve\r\nX-Evil: 1", true, ""},
	{"visibleName", "Eve\nX", true, ""},
	{"visibleName", "Eve\rX", true, ""},
	{"visibleName", "a\x00b", true, ""},
	{"visibleName", "a\x7fb", true, ""},
	{"visibleName", "a\u0085b", true, ""},
	{"visibleName", "a\u2028b", true, ""},
	{"visibleName", "a\u2029b", true, ""},
	{"visibleName", "a\tb", true, ""},
	{"visibleName", "a \"quoted\" \\ name", false, ""},
	{"visibleName", "Zoë Ünal 山田", false, ""},
	{"callId", "abc\r\nVia: x", true, ""},
	{"callId", "a;b", true, ""},
	{"callId", "a,b", true, ""},
	{"callId", "a b", true, ""},
	{"callId", "a\u2028b", true, ""},
	{"callId", "a\u0085b", true, ""},
	{"callId", "a\x01b", true, ""},
	{"callId", "a@b@c", true, ""},
	{"callId", "@b", true, ""},
	{"callId", "<a>", true, ""},
	{"callId", "é", true, ""},
	{"callId", "a1b2-c3@host.example", false, ""},
	{"callId", "x.!%*_+`'~():/[]?{}", false, ""},
	{"callee", "1001\r\nX: y", true, ""},
	{"callee", "10 01", true, ""},
	{"callee", "a@b", true, ""},
	{"callee", "a<b", true, ""},
	{"callee", "%0", true, ""},
	{"callee", "10%0D%0A01", false, ""}, // escaped: stays escaped on the wire
	{"sipDomain", "127.0.0.1>\r\nX: y", true, ""},
	{"sipDomain", "host name", true, ""},
	{"sipDomain", "[127.0.0.1]", true, ""},
	{"sipDomain", "[nothost]", true, ""},
	{"sipDomain", "-bad.example", true, ""},
	{"sipDomain", "fe80::1%eth0", true, ""},
	{"sipDomain", "::ffff:127.0.0.1", false, "127.0.0.1"},
	{"sipDomain", "::1", false, "[::1]"},
	{"sipDomain", "[2001:DB8::1]", false, "[2001:db8::1]"},
	{"sipDomain", "pbx.example.com.", false, ""},
	{"sipOutboundProxy", "p;lr>\r\nX: y", true, ""},
	{"sipOutboundProxy", "p:0", true, ""},
	{"sipOutboundProxy", "p:99999", true, ""},
	{"sipOutboundProxy", "::1", false, "[::1]"},
	{"sipOutboundProxy", "[::1]:5080", false, ""},
	{"sipOutboundProxy", "proxy.example:5080", false, ""},
	{"sipLogin", "a\r\nb", true, ""},
	{"sipLogin", "a b", true, ""},
	{"sipAuthenticationName", "a\"b", true, ""},
}

func hostileBody(field, value string) []byte {
	m := map[string]string{"callee": "1001", "sipDomain": "127.0.0.1"}
	m[field] = value
	b, _ := json.Marshal(m)
	return b
}

func TestHostileFieldValues(t *testing.T) {
	for _, c := range hostileCases {
		t.Run(c.field+"="+c.value, func(t *testing.T) {
			s, err := ParseStartup(hostileBody(c.field, c.value))
			if c.refused {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("accepted (%v), want ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			got := map[string]string{"visibleName": s.VisibleName, "callId": s.CallID, "callee": s.Callee,
				"sipDomain": s.SIPDomain, "sipOutboundProxy": s.SIPOutboundProxy, "sipLogin": s.SIPLogin,
				"sipAuthenticationName": s.SIPAuthName}[c.field]
			want := c.want
			if want == "" {
				want = c.value
			}
			if got != want {
				t.Fatalf("%s = %q, want %q", c.field, got, want)
			}
			checkSIPSafe(t, s)
		})
	}
}

// checkSIPSafe asserts that every field of an accepted startup fits the grammar of the SIP
// header it goes into.
func checkSIPSafe(t *testing.T, s Startup) {
	t.Helper()
	if !sipheader.IsCallID(s.CallID) {
		t.Fatalf("accepted callId %q is not a Call-ID", s.CallID)
	}
	if err := sipheader.CheckDisplayName(s.VisibleName); err != nil {
		t.Fatalf("accepted visibleName %q: %v", s.VisibleName, err)
	}
	if !ValidSIPUser(s.Callee) {
		t.Fatalf("accepted callee %q", s.Callee)
	}
	for _, u := range []string{s.SIPLogin, s.SIPAuthName} {
		if u != "" && !ValidSIPUser(u) {
			t.Fatalf("accepted SIP user %q", u)
		}
	}
	if h, err := sipheader.NormalizeHost(s.SIPDomain); err != nil || h != s.SIPDomain {
		t.Fatalf("accepted sipDomain %q is not in its SIP form (%q, %v)", s.SIPDomain, h, err)
	}
	if strings.ContainsAny(s.SIPOutboundProxy, "\r\n\x00 ;<>\"") {
		t.Fatalf("accepted sipOutboundProxy %q", s.SIPOutboundProxy)
	}
}

// TestRTMPURLSecretsMasked: what the call object (and so find, events, notifications) shows of
// rtmpUrl hides the password and secret query values; the publisher still gets them.
func TestRTMPURLSecretsMasked(t *testing.T) {
	s, err := ParseStartup([]byte(`{"callee":"1001","sipDomain":"127.0.0.1",` +
		`"rtmpUrl":"rtmp://pub:pw@127.0.0.1/live?token=t0k&app=x","rtmpStream":"cam"}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.RTMPURL != "rtmp://pub:xxxxx@127.0.0.1/live?token=xxxxx&app=x" {
		t.Fatalf("call object rtmpUrl %q", s.RTMPURL)
	}
	if u := s.RTMP.ClientURL(); u.RawQuery != "token=t0k&app=x" {
		t.Fatalf("publisher query %q", u.RawQuery)
	}
	p, err := ParsePushStart([]byte(`{"streamName":"s","rtmpUrl":"rtmp://h/live?streamkey=k"}`), "rtmp_")
	if err != nil || p.RTMPURL != "rtmp://h/live?streamkey=xxxxx" {
		t.Fatalf("push rtmpUrl %q %v", p.RTMPURL, err)
	}
}
