package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Digest authentication of the INVITE against SIPp devices that challenge (RFC 3261 §22): the
// right password gets the call up after one challenge; a wrong one ends it FAILED with the code
// and a reason naming the refused credentials, after exactly one retry; a stale nonce is answered
// once more; a proxy's 407 is answered with Proxy-Authorization; no password at all is told apart.
// (SIPp 3.6 verifies MD5 only: SHA-256 is proved against kamailio, TestE2ERegistrar.)
func TestE2EDigestAuth(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	keys := peers.WithSIPpArgs("-key", "authuser", "gw", "-key", "authpass", "s3cret")
	good := peers.StartSIPpUAS(t, "uas_auth401.xml", keys)
	wrong := peers.StartSIPpUAS(t, "uas_auth401.xml", keys)
	stale := peers.StartSIPpUAS(t, "uas_auth_stale.xml", keys)
	proxy := peers.StartSIPpUAS(t, "uas_auth407.xml")
	none := peers.StartSIPpUAS(t, "uas_auth401.xml", keys)
	g := startGateway(t, rtpPorts(t, 5))

	g.placeCall("a-good", good, map[string]any{"sipPassword": "s3cret"})
	g.placeCall("a-wrong", wrong, map[string]any{"sipPassword": "nope"})
	g.placeCall("a-stale", stale, map[string]any{"sipAuthenticationName": "gw", "sipLogin": "display", "sipPassword": "s3cret"})
	g.placeCall("a-407", proxy, map[string]any{"sipPassword": "s3cret"})
	g.placeCall("a-none", none, nil)

	for _, id := range []string{"a-good", "a-stale", "a-407"} {
		c := g.waitStatus(id, callapi.StatusEstablished, 10*time.Second)
		if *c.SIPStatus != 200 {
			t.Errorf("%s: %s", id, dump(c))
		}
		g.terminate(id)
	}
	c := g.waitStatus("a-wrong", callapi.StatusFailed, 10*time.Second)
	if c.SIPStatus == nil || *c.SIPStatus != 401 || !strings.Contains(str(c.Reason), `credentials of "gw" were refused`) {
		t.Errorf("wrong password: %s", dump(c))
	}
	c = g.waitStatus("a-none", callapi.StatusFailed, 10*time.Second)
	if c.SIPStatus == nil || *c.SIPStatus != 401 || !strings.Contains(str(c.Reason), "no sipPassword") {
		t.Errorf("no password: %s", dump(c))
	}
	// The device of the call without a password still waits for an INVITE with credentials.
	for name, s := range map[string]*peers.SIPp{"good": good, "wrong": wrong, "stale": stale, "407": proxy} {
		if err := s.Wait(10 * time.Second); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// One INVITE per challenge answered: never an endless retry.
	for name, tc := range map[string]struct {
		s    *peers.SIPp
		want int
	}{"good": {good, 2}, "wrong": {wrong, 2}, "stale": {stale, 3}, "407": {proxy, 2}, "none": {none, 1}} {
		if n := countRequests(tc.s, "INVITE"); n != tc.want {
			t.Errorf("%s: SIPp saw %d INVITEs, want %d", name, n, tc.want)
		}
	}
}

// Final answers other than 2xx, and early media: 603 Decline ends FAILED with 603 (486 is
// TestE2EBusy's); a 183 with SDP, then
// the 200, goes TRYING → SESSION_PROGRESS → ESTABLISHED in order, as the event stream shows.
func TestE2EFinalAnswers(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	decline := peers.StartSIPpUAS(t, "uas_decline.xml")
	progress := peers.StartSIPpUAS(t, "uas_progress.xml")
	g := startGateway(t)
	ev := g.follow(t, "f-183")

	g.placeCall("f-603", decline, nil)
	g.placeCall("f-183", progress, nil)
	if c := g.waitStatus("f-603", callapi.StatusFailed, 10*time.Second); c.SIPStatus == nil || *c.SIPStatus != 603 {
		t.Errorf("603: %s", dump(c))
	}
	ev.untilStatus(callapi.StatusEstablished, 10*time.Second)
	if got := strings.Join(ev.trail, " "); got != "PENDING TRYING SESSION_PROGRESS ESTABLISHED" {
		t.Errorf("statuses %s", got)
	}
	g.terminate("f-183")
	ev.untilStatus(callapi.StatusFinish, 10*time.Second)
	for _, s := range []*peers.SIPp{decline, progress} {
		if err := s.Wait(10 * time.Second); err != nil {
			t.Error(err)
		}
	}
}

// Behind NAT: SIPCAST_SIP_PUBLIC_IP goes in Via, Contact and the SDP while sipcast listens on its
// own address; Via asks for rport (RFC 3581), and the device's answer, sent back to where the
// INVITE came from, still ends the call.
func TestE2EPublicAddress(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	decline := peers.StartSIPpUAS(t, "uas_decline.xml")
	g := startGateway(t, "SIPCAST_SIP_PUBLIC_IP=203.0.113.7")
	g.placeCall("nat1", decline, nil)
	if c := g.waitStatus("nat1", callapi.StatusFailed, 10*time.Second); *c.SIPStatus != 603 {
		t.Fatalf("call %s", dump(c))
	}
	if err := decline.Wait(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	msgs := decline.Messages()
	for _, want := range []string{"Via: SIP/2.0/UDP 203.0.113.7:", ";rport", "Contact: <sip:gw@203.0.113.7:", "c=IN IP4 203.0.113.7"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("INVITE lacks %q:\n%s", want, msgs)
		}
	}
}
