package engine

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/call/calltest"
	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// The call's dialog after the answer, and its registration before the INVITE, against the fake
// SIP edge: the callee's re-INVITEs, UPDATEs and INFOs are played with calltest.Session.Send, our
// refreshes and REGISTERs are recorded and answered as scripted.

// published is one event the registry handed to the notifications.
type published struct {
	event, callID string
	body          any
}

func newDialogEngine(t *testing.T, script calltest.Script, tune func(*call.Config)) (*Engine, *calltest.Signaling, <-chan published) {
	t.Helper()
	sig := &calltest.Signaling{Script: script}
	base := int(portBase.Add(200))
	ports, err := rtp.NewPorts(net.ParseIP("127.0.0.1"), base, base+199)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan published, 64)
	eng, err := Start(registry.Config{
		EndedTTL: 5 * time.Second,
		Publish: func(event, callID, _ string, body any) {
			events <- published{event, callID, body}
		},
		NewCall: func(spec callapi.Startup) *actor.Props {
			cfg := call.Config{Spec: spec, SIP: sig, Ports: ports, MediaIP: "127.0.0.1",
				InviteTimeout: 2 * time.Second, ByeTimeout: time.Second, RTMPConnectTimeout: time.Second}
			if tune != nil {
				tune(&cfg)
			}
			return call.NewProps(cfg)
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Stop(5 * time.Second) })
	return eng, sig, events
}

func nextEvent(t *testing.T, events <-chan published) published {
	t.Helper()
	select {
	case e := <-events:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
		return published{}
	}
}

// session waits for the call's first session to be answered.
func session(t *testing.T, eng *Engine, sig *calltest.Signaling, callID string) *calltest.Session {
	t.Helper()
	waitStatus(t, eng, callID, callapi.StatusEstablished)
	return sig.Sessions()[0]
}

// play sends the callee's request and returns the call's answer.
func play(t *testing.T, s *calltest.Session, req *sipua.Request) sipua.Response {
	t.Helper()
	s.Send(req)
	select {
	case res := <-req.Answered():
		return res
	case <-time.After(5 * time.Second):
		t.Fatalf("%s not answered", req.Method)
		return sipua.Response{}
	}
}

func header(res sipua.Response, name string) string {
	for _, h := range res.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

func reoffer(dir string) []byte {
	return []byte("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=" + dir + "\r\n" +
		"m=video 49172 RTP/AVP 112\r\na=rtpmap:112 H264/90000\r\na=fmtp:112 packetization-mode=1\r\na=" + dir + "\r\n")
}

func TestHoldAndResume(t *testing.T) {
	eng, sig, _ := newDialogEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)}, nil)
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"h1","callee":"a","sipDomain":"127.0.0.1"}`)); err != nil {
		t.Fatal(err)
	}
	s := session(t, eng, sig, "h1")

	res := play(t, s, sipua.NewRequest("INVITE", reoffer("sendonly"), sipua.Header{Name: "Content-Type", Value: "application/sdp"}))
	if res.Code != 200 || !strings.Contains(string(res.Body), "a=recvonly") || !strings.Contains(string(res.Body), "o=sipcast ") {
		t.Fatalf("hold answer %d:\n%s", res.Code, res.Body)
	}
	held := waitStatus(t, eng, "h1", callapi.StatusHold)
	if *held.SIPStatus != 200 {
		t.Errorf("sipStatus on hold %v", *held.SIPStatus)
	}
	res = play(t, s, sipua.NewRequest("INVITE", reoffer("sendrecv")))
	if res.Code != 200 || !strings.Contains(string(res.Body), "a=sendrecv") {
		t.Fatalf("resume answer %d:\n%s", res.Code, res.Body)
	}
	waitStatus(t, eng, "h1", callapi.StatusEstablished)
	// New port and codec: PCMA is taken (the line now receives PT 8), the call stays up.
	moved := strings.NewReplacer("49170 RTP/AVP 0", "50170 RTP/AVP 8", "rtpmap:0 PCMU", "rtpmap:8 PCMA").Replace(string(reoffer("sendrecv")))
	if res = play(t, s, sipua.NewRequest("INVITE", []byte(moved))); res.Code != 200 || !strings.Contains(string(res.Body), "RTP/AVP 8\r\n") {
		t.Fatalf("codec change answer %d:\n%s", res.Code, res.Body)
	}
	waitStatus(t, eng, "h1", callapi.StatusEstablished)
	// An offer the call cannot take is refused without changing anything.
	bad := "v=0\r\no=- 1 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 18\r\n"
	if res = play(t, s, sipua.NewRequest("INVITE", []byte(bad))); res.Code != 488 {
		t.Errorf("unusable offer: %d", res.Code)
	}
	// A re-INVITE without SDP gets our SDP as an offer.
	if res = play(t, s, sipua.NewRequest("INVITE", nil)); res.Code != 200 || !strings.Contains(string(res.Body), "m=audio") {
		t.Errorf("offerless re-INVITE: %d %s", res.Code, res.Body)
	}
}

func TestPeerSessionRefresh(t *testing.T) {
	eng, sig, _ := newDialogEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)}, nil)
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"r1","callee":"a","sipDomain":"127.0.0.1"}`)); err != nil {
		t.Fatal(err)
	}
	s := session(t, eng, sig, "r1")
	res := play(t, s, sipua.NewRequest("UPDATE", nil, sipua.Header{Name: "Session-Expires", Value: "60"}))
	if res.Code != 422 || header(res, "Min-SE") != "90" {
		t.Fatalf("too small: %d %+v", res.Code, res.Headers)
	}
	res = play(t, s, sipua.NewRequest("UPDATE", nil, sipua.Header{Name: "Session-Expires", Value: "120"},
		sipua.Header{Name: "Supported", Value: "timer, 100rel"}))
	if res.Code != 200 || header(res, "Session-Expires") != "120;refresher=uac" || header(res, "Require") != "timer" {
		t.Fatalf("refresh: %d %+v", res.Code, res.Headers)
	}
	res = play(t, s, sipua.NewRequest("UPDATE", nil, sipua.Header{Name: "Session-Expires", Value: "abc"}))
	if res.Code != 400 {
		t.Errorf("bad Session-Expires: %d", res.Code)
	}
	waitStatus(t, eng, "r1", callapi.StatusEstablished)
}

func TestWeRefreshTheSession(t *testing.T) {
	script := calltest.Script{AnswerSDP: []byte(answerSDP), Dialog: calltest.DialogScript{
		Answer:      sipua.AnswerInfo{SessionExpires: "2;refresher=uac", Allow: "INVITE, ACK, BYE, UPDATE"},
		UpdateCodes: []int{501}, UpdateSessionExpires: "2;refresher=uac",
	}}
	eng, sig, _ := newDialogEngine(t, script, func(c *call.Config) { c.SessionExpires = 1800 * time.Second })
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"w1","callee":"a","sipDomain":"127.0.0.1"}`)); err != nil {
		t.Fatal(err)
	}
	s := session(t, eng, sig, "w1")
	if inv := sig.Invites()[0]; inv.SessionExpires != 1800 || inv.MinSE != 90 {
		t.Errorf("INVITE asked for %d/%d", inv.SessionExpires, inv.MinSE)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(s.Updates()) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	u := s.Updates()
	if len(u) < 3 {
		t.Fatalf("%d refreshes", len(u))
	}
	// UPDATE first (the 2xx allowed it); refused with 501, a re-INVITE with our SDP at once; then
	// re-INVITEs only.
	if u[0].Method != "UPDATE" || u[0].SDP != nil || u[1].Method != "INVITE" || !strings.Contains(string(u[1].SDP), "m=audio") || u[2].Method != "INVITE" {
		t.Fatalf("refreshes %+v", u)
	}
	for _, h := range u[0].Headers {
		if h.Name == "Session-Expires" && h.Value != "2;refresher=uac" {
			t.Errorf("Session-Expires %q", h.Value)
		}
	}
	waitStatus(t, eng, "w1", callapi.StatusEstablished)
}

func TestSessionExpires(t *testing.T) {
	script := calltest.Script{AnswerSDP: []byte(answerSDP), Dialog: calltest.DialogScript{
		Answer: sipua.AnswerInfo{SessionExpires: "3;refresher=uas"}}}
	eng, sig, _ := newDialogEngine(t, script, nil)
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"x1","callee":"a","sipDomain":"127.0.0.1"}`)); err != nil {
		t.Fatal(err)
	}
	c := waitStatus(t, eng, "x1", callapi.StatusFailed)
	if !strings.Contains(*c.Reason, "session expired") {
		t.Errorf("reason %q", *c.Reason)
	}
	if _, byes, _ := sig.Sessions()[0].State(); byes != 1 {
		t.Errorf("%d BYEs", byes)
	}
}

func TestIncomingInfoDTMF(t *testing.T) {
	eng, sig, events := newDialogEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)}, nil)
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"d1","callee":"a","sipDomain":"127.0.0.1","appKey":"app1"}`)); err != nil {
		t.Fatal(err)
	}
	s := session(t, eng, sig, "d1")
	relay := sipua.Header{Name: "Content-Type", Value: "application/dtmf-relay"}
	for body, code := range map[string]int{"Signal=7\r\nDuration=250\r\n": 200, "Signal=X\r\n": 400} {
		if res := play(t, s, sipua.NewRequest("INFO", []byte(body), relay)); res.Code != code {
			t.Errorf("%q: %d", body, res.Code)
		}
	}
	res := play(t, s, sipua.NewRequest("INFO", []byte("11"), sipua.Header{Name: "Content-Type", Value: "application/dtmf"}))
	if res.Code != 200 {
		t.Errorf("application/dtmf: %d", res.Code)
	}
	for _, want := range []callapi.IncomingDTMF{{DTMF: "7", Duration: 250}, {DTMF: "#"}} {
		e := nextEvent(t, events)
		d, ok := e.body.(callapi.IncomingDTMF)
		if e.event != "IncomingDTMFEvent" || !ok || d.DTMF != want.DTMF || d.Duration != want.Duration ||
			d.Type != callapi.DTMFTypeInfo || d.CallID != "d1" || *d.AppKey != "app1" {
			t.Errorf("event %+v, want %+v", e, want)
		}
	}
}

func TestRegisterBeforeInvite(t *testing.T) {
	eng, sig, events := newDialogEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)}, nil)
	ctx := context.Background()
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"g1","callee":"a","sipDomain":"pbx.example","sipLogin":"gw",`+
		`"sipPassword":"pw","sipRegisterRequired":"true","sipOutboundProxy":"10.0.0.1:5070","sipTransport":"tcp"}`)); err != nil {
		t.Fatal(err)
	}
	e := nextEvent(t, events)
	if r, _ := e.body.(callapi.Registration); e.event != "RegistrationStatusEvent" || r.Status != callapi.RegistrationRegistered || r.Expires != 3600 {
		t.Fatalf("event %+v", e)
	}
	waitStatus(t, eng, "g1", callapi.StatusEstablished)
	b := sig.Bindings()[0]
	if b.Reg.User != "gw" || b.Reg.Domain != "pbx.example" || b.Reg.Proxy != "10.0.0.1:5070" || b.Reg.Transport != "tcp" || b.Reg.AuthUser != "gw" {
		t.Errorf("binding %+v", b.Reg)
	}
	if inv := sig.Invites()[0]; inv.Transport != "tcp" || inv.Proxy != "10.0.0.1:5070" {
		t.Errorf("invite %+v", inv)
	}
	if err := eng.Terminate(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	e = nextEvent(t, events)
	if r, _ := e.body.(callapi.Registration); r.Status != callapi.RegistrationUnregistered || r.Reason != nil {
		t.Fatalf("event %+v", e)
	}
	if got := b.Expires(); len(got) != 2 || got[0] != 3600 || got[1] != 0 {
		t.Errorf("REGISTERs asked %v", got)
	}
}

func TestRegisterAuthFail(t *testing.T) {
	script := calltest.Script{AnswerSDP: []byte(answerSDP), Dialog: calltest.DialogScript{RegisterCodes: []int{401}}}
	eng, sig, events := newDialogEngine(t, script, nil)
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"g2","callee":"a","sipDomain":"pbx.example","sipLogin":"gw",`+
		`"sipPassword":"bad","sipRegisterRequired":"true"}`)); err != nil {
		t.Fatal(err)
	}
	if r, _ := nextEvent(t, events).body.(callapi.Registration); r.Status != callapi.RegistrationAuthFail || *r.SIPStatus != 401 {
		t.Fatalf("registration %+v", r)
	}
	c := waitStatus(t, eng, "g2", callapi.StatusFailed)
	if *c.SIPStatus != 401 || !strings.Contains(*c.Reason, "registration failed") {
		t.Errorf("call %+v", c)
	}
	if len(sig.Invites()) != 0 {
		t.Error("INVITE sent after a failed registration")
	}
}

func TestAuthFailureReasons(t *testing.T) {
	for body, want := range map[string]string{
		`{"callId":"n1","callee":"a","sipDomain":"h"}`:                                   "no sipPassword given",
		`{"callId":"n2","callee":"a","sipDomain":"h","sipLogin":"gw","sipPassword":"x"}`: "SIP 401 scripted",
	} {
		eng, _, _ := newDialogEngine(t, calltest.Script{FinalCode: 401}, nil)
		if _, err := eng.StartCall(context.Background(), spec(t, body)); err != nil {
			t.Fatal(err)
		}
		id := spec(t, body).CallID
		if c := waitStatus(t, eng, id, callapi.StatusFailed); *c.SIPStatus != 401 || !strings.Contains(*c.Reason, want) {
			t.Errorf("%s: %+v", id, c)
		}
	}
}

// A device that never sends: the RTP actors' grace runs out and the call ends FAILED, with BYE.
func TestMediaStartTimeout(t *testing.T) {
	eng, sig, _ := newDialogEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)}, func(c *call.Config) {
		c.MediaTimeout, c.MediaStartTimeout = time.Second, 2*time.Second
	})
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"m1","callee":"a","sipDomain":"127.0.0.1"}`)); err != nil {
		t.Fatal(err)
	}
	c := waitStatus(t, eng, "m1", callapi.StatusFailed)
	if !strings.Contains(*c.Reason, "media timeout: no RTP or RTCP from the device within 2s of the answer") {
		t.Errorf("reason %q", *c.Reason)
	}
	if _, byes, _ := sig.Sessions()[0].State(); byes != 1 {
		t.Errorf("%d BYEs", byes)
	}
}

// The binding is refreshed before it expires (a quarter early) while the call lasts.
func TestRegistrationRefreshed(t *testing.T) {
	eng, sig, events := newDialogEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)}, func(c *call.Config) {
		c.RegisterExpires = 2 * time.Second
	})
	ctx := context.Background()
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"g3","callee":"a","sipDomain":"pbx.example","sipLogin":"gw","sipRegisterRequired":"true"}`)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if r, _ := nextEvent(t, events).body.(callapi.Registration); r.Status != callapi.RegistrationRegistered || r.Expires != 2 {
			t.Fatalf("registration %+v", r)
		}
	}
	waitStatus(t, eng, "g3", callapi.StatusEstablished)
	if err := eng.Terminate(ctx, "g3"); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, events) // UNREGISTERED
	got := sig.Bindings()[0].Expires()
	if len(got) < 3 || got[0] != 2 || got[1] != 2 || got[len(got)-1] != 0 {
		t.Errorf("REGISTERs asked %v", got)
	}
}
