package call

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/dtmf"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// What each answer lets DTMF use: RFC 4733 events (type, clock, address), INFO's content type.
func TestDTMFNegotiate(t *testing.T) {
	pcmu := sdp.Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000, Channels: 1}
	speexWB := sdp.Codec{PayloadType: 98, Name: "speex", ClockRate: 16000, Channels: 1}
	te8 := sdp.Codec{PayloadType: 101, Name: "telephone-event", ClockRate: 8000, Channels: 1}
	te16 := sdp.Codec{PayloadType: 102, Name: "telephone-event", ClockRate: 16000, Channels: 1}
	line := func(ip string, port int, codecs ...sdp.Codec) *sdp.Media {
		return &sdp.Media{IP: ip, Port: port, Direction: sdp.DirSendRecv, Codecs: codecs}
	}
	for _, tc := range []struct {
		name   string
		audio  *sdp.Media
		accept string
		te     bool
		pt     uint8
		rate   uint32
		remote string
		info   string
	}{
		{"PCMU with events", line("10.0.0.2", 4000, pcmu, te8), "", true, 101, 8000, "10.0.0.2:4000", dtmf.ContentTypeRelay},
		{"events at the codec's clock", line("10.0.0.2", 4000, speexWB, te8, te16), "", true, 102, 16000, "10.0.0.2:4000", dtmf.ContentTypeRelay},
		{"no events at the codec's clock", line("10.0.0.2", 4000, speexWB, te8), "", false, 0, 0, "", dtmf.ContentTypeRelay},
		{"no telephone-event", line("10.0.0.2", 4000, pcmu), "", false, 0, 0, "", dtmf.ContentTypeRelay},
		{"no address", line("", 4000, pcmu, te8), "", false, 0, 0, "", dtmf.ContentTypeRelay},
		{"port 0: line refused", line("10.0.0.2", 0, pcmu, te8), "", false, 0, 0, "", dtmf.ContentTypeRelay},
		{"no audio line", nil, "", false, 0, 0, "", dtmf.ContentTypeRelay},
		{"Accept names application/dtmf alone", line("10.0.0.2", 4000, pcmu), "application/sdp, application/dtmf", false, 0, 0, "", dtmf.ContentTypeDTMF},
		{"Accept names both: dtmf-relay", line("10.0.0.2", 4000, pcmu), "application/dtmf, application/dtmf-relay", false, 0, 0, "", dtmf.ContentTypeRelay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDTMFSender(fixedClock)
			d.negotiate(tc.audio, tc.accept)
			remote := ""
			if d.remote != nil {
				remote = d.remote.String()
			}
			if !d.ready || d.te != tc.te || d.pt != tc.pt || d.rate != tc.rate || remote != tc.remote || d.info != tc.info {
				t.Fatalf("te %v pt %d rate %d remote %q info %q", d.te, d.pt, d.rate, remote, d.info)
			}
		})
	}
}

// A re-offer without events takes RFC 2833 away; the INFO type, once known, stays.
func TestDTMFRenegotiate(t *testing.T) {
	te := sdp.Codec{PayloadType: 101, Name: "telephone-event", ClockRate: 8000, Channels: 1}
	pcmu := sdp.Codec{PayloadType: 0, Name: "PCMU", ClockRate: 8000, Channels: 1}
	d := newDTMFSender(fixedClock)
	d.negotiate(&sdp.Media{IP: "10.0.0.2", Port: 4000, Codecs: []sdp.Codec{pcmu, te}}, "application/dtmf")
	d.infoUsed(dtmf.ContentTypeRelay) // a 415 switched it
	d.negotiate(&sdp.Media{IP: "10.0.0.2", Port: 4000, Codecs: []sdp.Codec{pcmu}}, "application/dtmf")
	if d.te || d.info != dtmf.ContentTypeRelay {
		t.Fatalf("te %v info %q", d.te, d.info)
	}
	d.infoUsed("")
	if d.info != dtmf.ContentTypeRelay {
		t.Fatal("an empty report changed the INFO type")
	}
}

// Symmetric RTP moves the events' address only where events are sent at all.
func TestDTMFLatched(t *testing.T) {
	d := newDTMFSender(fixedClock)
	to := &net.UDPAddr{IP: net.ParseIP("10.0.0.9"), Port: 5000}
	d.latched(to)
	if d.remote != nil {
		t.Fatal("latched an address for a call without events")
	}
	d.remote = &net.UDPAddr{IP: net.ParseIP("10.0.0.2"), Port: 4000}
	d.latched(to)
	if d.remote != to {
		t.Fatalf("remote %v", d.remote)
	}
}

// Which requests are taken, refused, or queued behind the one being sent.
func TestDTMFAdmit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ready    bool
		te       bool
		queued   int
		typ      string
		live     bool
		canInfo  bool
		code     DTMFCode
		start    bool
		queueLen int
	}{
		{"RFC 2833 on an idle call: sent now", true, true, 0, DTMFRFC2833, true, true, DTMFSent, true, 1},
		{"INFO behind another: queued", true, false, 1, DTMFInfo, true, true, DTMFSent, false, 2},
		{"before the answer", false, true, 0, DTMFRFC2833, true, true, DTMFNotEstablished, false, 0},
		{"call ending", true, true, 0, DTMFRFC2833, false, true, DTMFNotEstablished, false, 0},
		{"RFC 2833 without telephone-event", true, false, 0, DTMFRFC2833, true, true, DTMFNotNegotiated, false, 0},
		{"INFO on a dialog that cannot", true, true, 0, DTMFInfo, true, false, DTMFFailed, false, 0},
		{"unknown type", true, true, 0, "SIP", true, true, DTMFFailed, false, 0},
		{"queue at its bound: one more", true, true, maxDTMFQueue, DTMFInfo, true, true, DTMFSent, false, maxDTMFQueue + 1},
		{"queue past its bound: refused", true, true, maxDTMFQueue + 1, DTMFInfo, true, true, DTMFFailed, false, maxDTMFQueue + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDTMFSender(fixedClock)
			d.ready, d.te = tc.ready, tc.te
			for range tc.queued {
				d.queue = append(d.queue, dtmfRequest{m: &SendDTMF{Digits: "1", Type: DTMFInfo}})
			}
			code, msg, start := d.admit(dtmfRequest{m: &SendDTMF{Digits: "12", Type: tc.typ}}, tc.live, tc.canInfo)
			if code != tc.code || start != tc.start || len(d.queue) != tc.queueLen {
				t.Fatalf("code %v start %v queue %d (%q)", code, start, len(d.queue), msg)
			}
			if (code == DTMFNotNegotiated || code == DTMFFailed) && msg == "" {
				t.Fatal("a refusal without a message")
			}
		})
	}
}

// The plan of the head request: RFC 2833 events for the audio actor with the answer due after
// their playing time plus the margin, or INFO in the content type last taken.
func TestDTMFPlan(t *testing.T) {
	remote := &net.UDPAddr{IP: net.ParseIP("10.0.0.2"), Port: 4000}
	for _, tc := range []struct {
		name     string
		typ      string
		digits   string
		rate     uint32
		deadline time.Duration
	}{
		// DefaultTiming: 100 ms tones 60 ms apart, 20 ms packets, 3 end packets.
		{"one digit", DTMFRFC2833, "5", 8000, 140*time.Millisecond + dtmfMargin},
		{"three digits", DTMFRFC2833, "123", 8000, 2*160*time.Millisecond + 140*time.Millisecond + dtmfMargin},
		{"wideband events", DTMFRFC2833, "#", 16000, 140*time.Millisecond + dtmfMargin},
		{"INFO", DTMFInfo, "*0", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newDTMFSender(fixedClock)
			d.ready, d.te, d.pt, d.rate, d.remote, d.info = true, true, 101, tc.rate, remote, dtmf.ContentTypeDTMF
			d.admit(dtmfRequest{m: &SendDTMF{Digits: tc.digits, Type: tc.typ}}, true, true)
			p := d.plan()
			if p.digits != tc.digits {
				t.Fatalf("digits %q", p.digits)
			}
			if tc.typ == DTMFInfo {
				if p.rtp != nil || p.info != dtmf.ContentTypeDTMF {
					t.Fatalf("plan %+v", p)
				}
				return
			}
			r := p.rtp
			if r == nil || r.Digits != tc.digits || r.PayloadType != 101 || r.ClockRate != tc.rate || r.Remote != remote ||
				r.Timing.ClockRate != tc.rate || r.Timing.Tone != dtmf.DefaultTiming().Tone {
				t.Fatalf("request %+v", r)
			}
			if got := p.deadline.Sub(t0); got != tc.deadline {
				t.Fatalf("answer due after %s, want %s", got, tc.deadline)
			}
		})
	}
}

// Requests are answered in order; the rest are handed back when the call ends.
func TestDTMFFinish(t *testing.T) {
	d := newDTMFSender(fixedClock)
	d.ready, d.te = true, true
	for _, digits := range []string{"1", "2", "3"} {
		d.admit(dtmfRequest{m: &SendDTMF{Digits: digits, Type: DTMFRFC2833}}, true, true)
	}
	head, res, more := d.finish(nil)
	if head.m.Digits != "1" || res.Code != DTMFSent || !more {
		t.Fatalf("%q %+v %v", head.m.Digits, res, more)
	}
	if d.plan().digits != "2" {
		t.Fatal("the next is not the second request")
	}
	head, res, more = d.finish(errors.New("device refused"))
	if head.m.Digits != "2" || res.Code != DTMFFailed || res.Message != "device refused" || !more {
		t.Fatalf("%q %+v %v", head.m.Digits, res, more)
	}
	rest := d.drop()
	if len(rest) != 1 || rest[0].m.Digits != "3" || len(d.queue) != 0 {
		t.Fatalf("dropped %d, left %d", len(rest), len(d.queue))
	}
	if _, _, start := d.admit(dtmfRequest{m: &SendDTMF{Digits: "4", Type: DTMFRFC2833}}, true, true); !start {
		t.Fatal("a request after the drop waits for nothing")
	}
}
