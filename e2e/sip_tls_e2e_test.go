package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// SIP over TLS through a real proxy: kamailio takes TLS (its certificate self-signed, trusted
// by sipcast through SIPCAST_SIP_TLS_CA) besides UDP, baresip (bob) registered there over UDP.
// sipcast registers gw over TLS with kamailio as outbound proxy (401 answered), calls bob through
// it (407 answered), kamailio relays the call to bob over UDP and back, and the RTMP stream of
// bob's audio is published. Bob hangs up: kamailio (which aliases no connection) relays his BYE
// to the Contact sipcast advertised, its TLS listener's port with transport=tls, over a new TLS
// connection it opens itself; sipcast logs that connection and the BYE on it, and the call is
// FINISHed and unregistered. A gateway that does not trust the certificate refuses the handshake: the call
// fails with the certificate named in its reason, and kamailio routes nothing of it.
func TestE2ERegistrarTLS(t *testing.T) {
	peers.RequireTools(t, "kamailio", "baresip", "nginx", "ffprobe", "ffmpeg")
	t.Parallel()
	cert, key := peers.SelfSignedCert(t)
	kam := peers.StartKamailio(t, []peers.SIPUser{{Name: "gw", Password: "gwpass"}, {Name: "bob", Password: "bobpass"}},
		peers.WithKamailioTLS(cert, key))
	ngx := peers.StartNginx(t)
	bob := peers.StartBaresip(t, peers.WithRegistrar(kam.Addr(), "bobpass", "udp"))
	bob.WaitRegistered(t, 10*time.Second)
	tlsPort := peers.FreeTCPPort(t)
	g := startGateway(t, "SIPCAST_SIP_PORT="+itoa(peers.FreeSIPPort(t)), "SIPCAST_SIP_TLS_CA="+cert,
		"SIPCAST_SIP_TLS_PORT="+itoa(tlsPort))
	untrusting := startGateway(t, "SIPCAST_SIP_PORT="+itoa(peers.FreeSIPPort(t)))
	body := func(id string) string {
		return startupBody(map[string]any{"callId": id, "callee": "bob", "sipDomain": "127.0.0.1",
			"sipPort": itoa(kam.TLSPort), "sipOutboundProxy": kam.TLSAddr(), "sipTransport": "tls",
			"sipLogin": "gw", "sipPassword": "gwpass", "sipRegisterRequired": "true", "hasVideo": "false",
			"rtmpUrl": ngx.URL("live"), "rtmpStream": id})
	}

	ev := g.follow(t, "tls1")
	if code, res := g.post("/call/startup", body("tls1")); code != http.StatusOK {
		t.Fatalf("startup: %d %s", code, res)
	}
	ev.untilStatus(callapi.StatusEstablished, 15*time.Second)
	if regs := ev.registrations(); len(regs) != 1 || regs[0].Status != callapi.RegistrationRegistered {
		t.Fatalf("registrations %+v", regs)
	}
	c := g.waitFor("tls1", 10*time.Second, "RTMP stream active", func(c callapi.Call) bool {
		return str(c.RTMPStreamStatus) == callapi.RTMPStreamActive
	})
	streams, err := peers.Probe(probeCtx(t, 15*time.Second), ngx.URL("live")+"/tls1")
	var aac bool
	for _, s := range streams {
		aac = aac || s.Codec == "aac"
	}
	if err != nil || !aac {
		t.Fatalf("RTMP stream of the TLS call: %+v %v (call %s)", streams, err, dump(c))
	}
	bob.Stop() // baresip hangs up its calls as it exits
	c = g.waitStatus("tls1", callapi.StatusFinish, 15*time.Second)
	if !strings.Contains(str(c.Reason), "BYE") {
		t.Errorf("after bob's BYE: %s", dump(c))
	}
	ev.until(10*time.Second, "UNREGISTERED", func(e *callEvents) bool {
		r := e.registrations()
		return len(r) == 2 && r[1].Status == callapi.RegistrationUnregistered
	})
	logs := kam.Logs()
	for _, want := range []string{"REGISTER sip:127.0.0.1", "INVITE sip:bob@127.0.0.1", "ACK sip:bob-", "BYE sip:gw@"} {
		if !strings.Contains(logs, want) {
			t.Errorf("kamailio routed no %q:\n%s", want, logs)
		}
	}
	t.Logf("kamailio routed %d requests over TLS", strings.Count(logs, "(tls) cseq"))
	if n := strings.Count(logs, "(tls) cseq"); n < 6 {
		t.Errorf("kamailio saw %d requests over TLS, want REGISTER ×3, INVITE ×2 and ACK at least:\n%s", n, logs)
	}
	checkByeOverNewTLSConnection(t, g, logs, tlsPort)

	routed := strings.Count(kam.Logs(), " from ")
	if code, res := untrusting.post("/call/startup", body("tls-untrusted")); code != http.StatusOK {
		t.Fatalf("startup untrusted: %d %s", code, res)
	}
	c = untrusting.waitStatus("tls-untrusted", callapi.StatusFailed, 15*time.Second)
	if !strings.Contains(str(c.Reason), "certificate") {
		t.Errorf("untrusted certificate: %s", dump(c))
	}
	t.Logf("untrusted: %s %s", c.Status, str(c.Reason))
	if n := strings.Count(kam.Logs(), " from "); n != routed {
		t.Errorf("kamailio routed %d requests of the gateway that refused its certificate", n-routed)
	}
}

// checkByeOverNewTLSConnection: the callee's BYE went to sipcast's TLS listener (kamailio's R-URI
// and where it sent it), over a connection kamailio opened to that listener (sipcast accepted it)
// and not over sipcast's own connection to kamailio (the BYE came from that accepted peer).
func checkByeOverNewTLSConnection(t *testing.T, g *gateway, kamLogs string, tlsPort int) {
	t.Helper()
	for _, want := range []string{fmt.Sprintf("BYE sip:gw@127.0.0.1:%d;transport=tls", tlsPort),
		fmt.Sprintf("sent BYE to 127.0.0.1:%d (tls)", tlsPort)} {
		if !strings.Contains(kamLogs, want) {
			t.Errorf("kamailio log has no %q:\n%s", want, kamLogs)
		}
	}
	if strings.Contains(kamLogs, "alias=") {
		t.Errorf("kamailio aliased a connection:\n%s", kamLogs)
	}
	accepted := map[string]bool{}
	var byeFrom, byeTransport string
	for _, line := range strings.Split(g.logs(), "\n") {
		var rec struct{ Msg, Remote, From, Transport, Local string }
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		switch rec.Msg {
		case "SIP over TLS connection accepted":
			if rec.Local == fmt.Sprintf("127.0.0.1:%d", tlsPort) {
				accepted[rec.Remote] = true
			}
		case "callee's BYE":
			byeFrom, byeTransport = rec.From, rec.Transport
		}
	}
	if byeTransport != "TLS" || !accepted[byeFrom] {
		t.Errorf("BYE over %q from %q; TLS connections accepted from %v", byeTransport, byeFrom, accepted)
	}
	t.Logf("callee's BYE over TLS from %s, a connection kamailio opened to 127.0.0.1:%d", byeFrom, tlsPort)
}
