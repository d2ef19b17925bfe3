package call

import (
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/sdp"
)

// How each type goes, from what the answer allowed: RFC2833 falls back to tones, then INFO,
// then a refusal naming what is missing; INBAND needs tones; the plan carries the tones.
func TestDTMFRoute(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		te, inband, infoAllowed bool
		typ                     string
		canInfo                 bool
		code                    DTMFCode
		route, why              string
	}{
		{"RFC2833 with telephone-event", true, true, true, DTMFRFC2833, true, DTMFSent, DTMFRFC2833, ""},
		{"RFC2833 without: tones", false, true, true, DTMFRFC2833, true, DTMFSent, DTMFInband, "did not accept telephone-event"},
		{"RFC2833 without, no tones: INFO", false, false, true, DTMFRFC2833, true, DTMFSent, DTMFInfo, "hasAudio false"},
		{"RFC2833 without, no tones, no INFO", false, false, false, DTMFRFC2833, true, DTMFNotNegotiated, "", "does not allow INFO"},
		{"RFC2833 without, no tones, INFO allowed, dialog cannot", false, false, true, DTMFRFC2833, false, DTMFNotNegotiated, "", "does not allow INFO"},
		{"INBAND asked", true, true, false, DTMFInband, true, DTMFSent, DTMFInband, ""},
		{"INBAND without tones", true, false, true, DTMFInband, true, DTMFNotNegotiated, "", "no in-band tones: sipcast sends no audio"},
		{"INFO stays INFO", false, true, false, DTMFInfo, true, DTMFSent, DTMFInfo, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDTMFSender(fixedClock)
			d.ready, d.te, d.inband, d.infoAllowed = true, tc.te, tc.inband, tc.infoAllowed
			if !tc.inband {
				_, d.inbandWhy = inbandRoute(&sdp.Media{Port: 4000}, false)
			}
			code, msg, start := d.admit(dtmfRequest{m: &SendDTMF{Digits: "12", Type: tc.typ}}, true, tc.canInfo)
			if code != tc.code || (code == DTMFSent) != start {
				t.Fatalf("code %v start %v (%q)", code, start, msg)
			}
			if code != DTMFSent {
				if !strings.Contains(msg, tc.why) {
					t.Fatalf("refusal %q, want it to say %q", msg, tc.why)
				}
				return
			}
			p := d.plan()
			if p.route != tc.route || !strings.Contains(p.why, tc.why) || (tc.why == "") != (p.why == "") {
				t.Fatalf("plan %+v, want route %s, why %q", p, tc.route, tc.why)
			}
			if (p.tones != nil) != (tc.route == DTMFInband) || (p.rtp != nil) != (tc.route == DTMFRFC2833) {
				t.Fatalf("plan %+v for route %s", p, tc.route)
			}
			if p.tones != nil && p.deadline != fixedClock().Add(400*time.Millisecond+dtmfMargin) {
				t.Fatalf("tones due %v after now, want 2 digits of 200 ms and the margin", p.deadline.Sub(fixedClock()))
			}
			if _, res, _ := d.finish(nil); res.Type != tc.route {
				t.Fatalf("answer type %q, want %q", res.Type, tc.route)
			}
		})
	}
}

// What the answer's audio line allows for tones.
func TestInbandRoute(t *testing.T) {
	pcmu := sdp.Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000, Channels: 1}
	line := func(dir string, codecs ...sdp.Codec) *sdp.Media {
		return &sdp.Media{IP: "10.0.0.2", Port: 4000, Direction: dir, Codecs: codecs}
	}
	for _, tc := range []struct {
		name string
		m    *sdp.Media
		send bool
		ok   bool
		why  string
	}{
		{"sendrecv PCMU", line(sdp.DirSendRecv, pcmu), true, true, ""},
		{"hasAudio false", line(sdp.DirSendRecv, pcmu), false, false, "hasAudio false"},
		{"device sendonly", line(sdp.DirSendOnly, pcmu), true, false, "sendonly"},
		{"device inactive", line(sdp.DirInactive, pcmu), true, false, "inactive"},
		{"no audio line", nil, true, false, "no audio line"},
	} {
		ok, why := inbandRoute(tc.m, tc.send)
		if ok != tc.ok || !strings.Contains(why, tc.why) || (tc.why == "") != (why == "") {
			t.Errorf("%s: %v %q", tc.name, ok, why)
		}
	}
	if !allowsInfo("INVITE, ACK,info , BYE") || allowsInfo("INVITE, INFORM") || allowsInfo("") {
		t.Error("allowsInfo")
	}
}
