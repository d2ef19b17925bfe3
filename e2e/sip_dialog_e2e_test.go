package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// The callee puts the call on hold and resumes it with re-INVITEs, after asking whether the
// dialog lives (OPTIONS): the statuses go ESTABLISHED → HOLD → ESTABLISHED, each 200 answers with
// the mirrored direction (SIPp checks recvonly, then sendrecv), and the RTMP stream goes on
// throughout: still active and decodable after the resume.
func TestE2EHoldResume(t *testing.T) {
	requirePeers(t)
	t.Parallel()
	ngx := peers.StartNginx(t)
	sipp := peers.StartSIPpUAS(t, "uas_hold.xml")
	g := startGateway(t)
	ev := g.follow(t, "hold1")
	g.placeCall("hold1", sipp, map[string]any{"hasVideo": "true", "rtmpUrl": ngx.URL("live"), "rtmpStream": "hold1"})
	ev.untilStatus(callapi.StatusHold, 15*time.Second)
	ev.untilStatus(callapi.StatusEstablished, 15*time.Second)
	if got := strings.Join(ev.trail, " "); !strings.HasSuffix(got, "ESTABLISHED HOLD ESTABLISHED") {
		t.Errorf("statuses %s", got)
	}
	c := g.waitStatus("hold1", callapi.StatusEstablished, time.Second)
	if str(c.RTMPStreamStatus) != callapi.RTMPStreamActive || *c.SIPStatus != 200 {
		t.Errorf("after resume: %s", dump(c))
	}
	frames, stderr, err := peers.DecodeCheck(probeCtx(t, 20*time.Second), ngx.URL("live")+"/hold1", 2)
	if err != nil || frames < 20 {
		t.Fatalf("decode after resume: %d frames, %v\n%s", frames, err, stderr)
	}
	g.terminate("hold1")
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// RFC 4028 session timers against four devices at once: one that makes sipcast the refresher and
// takes UPDATE (two refreshes by UPDATE, then its own refresh answered with Require: timer), one
// that does not take UPDATE (refreshes by re-INVITE, ACKed), one that answers 422 (the INVITE is
// sent again with its Min-SE), and one that is the refresher and never refreshes (BYE, FAILED).
func TestE2ESessionTimers(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	update := peers.StartSIPpUAS(t, "uas_session_update.xml")
	reinvite := peers.StartSIPpUAS(t, "uas_session_reinvite.xml")
	tooSmall := peers.StartSIPpUAS(t, "uas_session_422.xml")
	expiry := peers.StartSIPpUAS(t, "uas_session_expiry.xml")
	g := startGateway(t, rtpPorts(t, 4))
	g.placeCall("st-update", update, nil)
	g.placeCall("st-reinvite", reinvite, nil)
	g.placeCall("st-422", tooSmall, nil)
	g.placeCall("st-expiry", expiry, nil)

	c := g.waitStatus("st-expiry", callapi.StatusFailed, 15*time.Second)
	if !strings.Contains(str(c.Reason), "session expired") {
		t.Errorf("expiry: %s", dump(c))
	}
	if err := expiry.Wait(5 * time.Second); err != nil {
		t.Errorf("expiry: %v", err)
	}
	g.waitStatus("st-422", callapi.StatusEstablished, 5*time.Second)
	g.terminate("st-422")
	if err := tooSmall.Wait(5 * time.Second); err != nil {
		t.Errorf("422: %v", err)
	}
	// Two refreshes each, 2 s apart, then the device's own: about 5 s after the answer.
	for id, s := range map[string]*peers.SIPp{"st-update": update, "st-reinvite": reinvite} {
		deadline := time.Now().Add(15 * time.Second)
		for countRequests(s, refreshMethod(id)) < 2+btoi(id == "st-reinvite") && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if id == "st-update" {
			time.Sleep(time.Second) // the device's own refresh, answered
		}
		g.waitStatus(id, callapi.StatusEstablished, time.Second)
		g.terminate(id)
		if err := s.Wait(10 * time.Second); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}

func refreshMethod(callID string) string {
	if callID == "st-update" {
		return "UPDATE"
	}
	return "INVITE"
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DTMF from the device is reported as IncomingDTMFEvents, in the order the device sent them:
// two by SIP INFO (dtmf-relay and dtmf), three as RFC 4733 events in the RTP; the digits equal
// those SIPp logged as sent.
func TestE2EIncomingDTMF(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	var pcaps []peers.SIPpOption
	for _, d := range []string{"1", "9", "star"} {
		name := "dtmf_2833_" + d + ".pcap"
		pcaps = append(pcaps, peers.WithMedia(name, "/usr/share/sip-tester/"+name))
	}
	sipp := peers.StartSIPpUAS(t, "uas_dtmf_send.xml", pcaps...)
	g := startGateway(t)
	ev := g.follow(t, "dtmf-in")
	g.placeCall("dtmf-in", sipp, nil)
	ev.until(15*time.Second, "five digits", func(e *callEvents) bool {
		d, _ := e.dtmf()
		return len(d) >= 5
	})
	digits, types := ev.dtmf()
	if sent := sippLogged(sipp, "DTMF-SENT"); digits != sent || sent != "5#19*" {
		t.Errorf("reported %q, SIPp sent %q", digits, sent)
	}
	if got := strings.Join(types, " "); got != "INFO INFO RFC2833 RFC2833 RFC2833" {
		t.Errorf("types %s", got)
	}
	g.terminate("dtmf-in")
	if err := sipp.Wait(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

// A device that goes silent (no RTP, no RTCP) is hung up on after SIPCAST_MEDIA_TIMEOUT, FAILED
// with the reason; one that never sends at all after the longer start grace.
func TestE2EMediaTimeout(t *testing.T) {
	peers.RequireTools(t, "sipp")
	t.Parallel()
	silent := peers.StartSIPpUAS(t, "uas_silent.xml")
	mute := peers.StartSIPpUAS(t, "uas_answer.xml")
	g := startGateway(t, "SIPCAST_MEDIA_TIMEOUT=3s", "SIPCAST_MEDIA_START_TIMEOUT=5s")
	started := time.Now()
	g.placeCall("mt-silent", silent, nil)
	g.placeCall("mt-mute", mute, nil)
	c := g.waitStatus("mt-silent", callapi.StatusFailed, 15*time.Second)
	if !strings.Contains(str(c.Reason), "media timeout: no RTP or RTCP from the device for 3s") {
		t.Errorf("silent: %s", dump(c))
	}
	t.Logf("silent device hung up on %v after the call started (2 s of media, 3 s timeout)", time.Since(started))
	c = g.waitStatus("mt-mute", callapi.StatusFailed, 15*time.Second)
	if !strings.Contains(str(c.Reason), "within 5s of the answer") {
		t.Errorf("mute: %s", dump(c))
	}
	for _, s := range []*peers.SIPp{silent, mute} {
		if err := s.Wait(5 * time.Second); err != nil || countRequests(s, "BYE") != 1 {
			t.Errorf("%v\n%s", err, s.Messages())
		}
	}
}
