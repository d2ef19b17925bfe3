package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// TestE2EHeaderInjection plays issue 12's third attacker against a real SIP device (SIPp over
// TCP, where a smuggled second request would be read as one): a visibleName or callId that
// would end a header line is refused with 400 before any SIP is sent; a display name with
// quotes and backslashes reaches the device escaped, in the one From header, and the call
// works.
func TestE2EHeaderInjection(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	sipp := peers.StartSIPpUAS(t, "uas_answer.xml", peers.WithTransport("t1"))
	g := startGateway(t, rtpPorts(t, 1))
	hostile := []map[string]any{
		{"callId": "inj1", "visibleName": "Eve\r\nX-Injected: 1"},
		{"callId": "inj2", "visibleName": "Eve\" <sip:boss@127.0.0.1>\r\n\r\nBYE sip:x@127.0.0.1 SIP/2.0\r\nCall-ID: other"},
		{"callId": "inj3", "visibleName": "Eve\u2028X-Injected: 1"},
		{"callId": "inj4\r\nX-Injected: 1"},
		{"callId": "inj5;x=1"},
		{"callId": "inj6", "sipDomain": "127.0.0.1>\r\nX-Injected: 1"},
		{"callId": "inj7", "callee": "alice\r\nX-Injected: 1"},
	}
	for _, extra := range hostile {
		body := map[string]any{"callee": "alice", "sipDomain": "127.0.0.1", "sipPort": sipp.Port,
			"sipTransport": "tcp", "hasVideo": "false"}
		for k, v := range extra {
			body[k] = v
		}
		if code, res := g.post("/call/startup", startupBody(body)); code != http.StatusBadRequest {
			t.Errorf("startup %q: %d %s, want 400", extra, code, res)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if n := countRequests(sipp, "INVITE"); n != 0 {
		t.Fatalf("the device got %d INVITEs from refused startups:\n%s", n, sipp.Messages())
	}

	name := `Eve "the boss" \ x`
	g.placeCall("inj-ok", sipp, map[string]any{"visibleName": name, "sipTransport": "tcp"})
	c := g.waitStatus("inj-ok", callapi.StatusEstablished, 15*time.Second)
	if str(c.VisibleName) != name {
		t.Errorf("call object visibleName %q, want %q", str(c.VisibleName), name)
	}
	msgs := sipp.Messages()
	if want := `From: "Eve \"the boss\" \\ x" <sip:gw@127.0.0.1>`; !strings.Contains(msgs, want) {
		t.Fatalf("the device did not get the escaped From %s:\n%s", want, msgs)
	}
	if strings.Contains(msgs, "X-Injected") {
		t.Fatalf("an injected header reached the device:\n%s", msgs)
	}
	g.terminate("inj-ok")
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatalf("SIPp: %v", err)
	}
}
