package callapi

import (
	"errors"
	"testing"
)

func TestSIPTransport(t *testing.T) {
	for in, want := range map[string]string{``: "udp", `"sipTransport":""`: "udp", `"sipTransport":"TCP"`: "tcp",
		`"sipTransport":" tls "`: "tls", `"sipTransport":"udp"`: "udp"} {
		body := `{"callee":"a","sipDomain":"h"`
		if in != "" {
			body += "," + in
		}
		s, err := ParseStartup([]byte(body + "}"))
		if err != nil || s.SIPTransport != want {
			t.Errorf("%s: %q %v, want %q", in, s.SIPTransport, err, want)
		}
	}
	if _, err := ParseStartup([]byte(`{"callee":"a","sipDomain":"h","sipTransport":"sctp"}`)); !errors.Is(err, ErrInvalid) {
		t.Errorf("sctp: %v", err)
	}
}
