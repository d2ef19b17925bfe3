package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/call/calltest"
	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/dtmf"
)

// answerWithEvents is an answer that accepts telephone-event (as PT 100) with its audio at addr.
func answerWithEvents(addr *net.UDPAddr) string {
	return fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0 100\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:100 telephone-event/8000\r\na=fmtp:100 0-15\r\na=sendrecv\r\n", addr.Port)
}

// send_dtmf through the real registry, call and RTP actors: RFC 2833 reaches the answer's audio
// address as telephone events, INFO goes to the dialog as dtmf-relay, and the refusals carry the
// sentinel the REST layer maps.
func TestSendDTMF(t *testing.T) {
	dev, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	eng, sig := newEngine(t, calltest.Script{AnswerSDP: []byte(answerWithEvents(dev.LocalAddr().(*net.UDPAddr)))})
	ctx := context.Background()
	if _, err := eng.SendDTMF(ctx, "nope", "1", call.DTMFRFC2833); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("unknown call: %v", err)
	}
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"d","callee":"x","sipDomain":"h"}`)); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, eng, "d", callapi.StatusEstablished)
	offer := string(sig.Invites()[0].SDP)
	if !strings.Contains(offer, "a=rtpmap:101 telephone-event/8000") || !strings.Contains(offer, "a=fmtp:101 0-16") {
		t.Fatalf("offer without telephone-event:\n%s", offer)
	}

	if _, err := eng.SendDTMF(ctx, "d", "5*", call.DTMFRFC2833); err != nil {
		t.Fatal(err)
	}
	var events []byte
	buf := make([]byte, 1500)
	_ = dev.SetReadDeadline(time.Now().Add(3 * time.Second))
	for len(events) < 2 {
		n, _, err := dev.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("events %q: %v", events, err)
		}
		var p pionrtp.Packet
		var ev dtmf.Payload
		if p.Unmarshal(buf[:n]) != nil || p.PayloadType != 100 || ev.Unmarshal(p.Payload) != nil {
			continue // RTCP or other
		}
		if p.Marker {
			d, _ := dtmf.DigitOf(ev.Event)
			events = append(events, d)
		}
	}
	if string(events) != "5*" {
		t.Fatalf("events %q", events)
	}

	if _, err := eng.SendDTMF(ctx, "d", "1#", call.DTMFInfo); err != nil {
		t.Fatal(err)
	}
	infos := sig.Sessions()[0].Infos()
	if len(infos) != 2 || infos[0] != "application/dtmf-relay\nSignal=1\r\nDuration=100\r\n" || !strings.Contains(infos[1], "Signal=#") {
		t.Fatalf("INFOs %q", infos)
	}
	if err := eng.Terminate(ctx, "d"); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.SendDTMF(ctx, "d", "1", call.DTMFInfo); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("terminated call: %v", err)
	}
}

func TestSendDTMFRefused(t *testing.T) {
	// answerSDP has no telephone-event; its INFOs are refused with 415.
	eng, _ := newEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP), InfoCode: 415})
	ctx := context.Background()
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"r","callee":"x","sipDomain":"h"}`)); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, eng, "r", callapi.StatusEstablished)
	// Without telephone-event, RFC2833 goes as in-band tones in sipcast's audio.
	if sent, err := eng.SendDTMF(ctx, "r", "1", call.DTMFRFC2833); err != nil || sent != call.DTMFInband {
		t.Fatalf("RFC2833 without telephone-event: %q %v", sent, err)
	}
	if _, err := eng.SendDTMF(ctx, "r", "1", call.DTMFInfo); !errors.Is(err, call.ErrDTMFFailed) || !strings.Contains(err.Error(), "415") {
		t.Fatalf("INFO refused: %v", err)
	}

	// hasAudio false: sipcast sends no audio, so no tones; the device does not allow INFO.
	mute, _ := newEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)})
	if _, err := mute.StartCall(ctx, spec(t, `{"callId":"m","callee":"x","sipDomain":"h","hasAudio":"false"}`)); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, mute, "m", callapi.StatusEstablished)
	const noWay = "call: DTMF cannot reach the device: the callee's answer did not accept telephone-event, " +
		"sipcast sends no audio on this call (hasAudio false: its audio line is recvonly), and the device does not allow INFO"
	if _, err := mute.SendDTMF(ctx, "m", "1", call.DTMFRFC2833); !errors.Is(err, call.ErrDTMFNotNegotiated) || err.Error() != noWay {
		t.Fatalf("RFC2833 with no way to the device: %v", err)
	}
	if _, err := mute.SendDTMF(ctx, "m", "1", call.DTMFInband); !errors.Is(err, call.ErrDTMFNotNegotiated) ||
		err.Error() != "call: DTMF cannot reach the device: no in-band tones: sipcast sends no audio on this call (hasAudio false: its audio line is recvonly)" {
		t.Fatalf("INBAND on a call sipcast sends no audio on: %v", err)
	}
	// The same, with a device that allows INFO: the digits go as INFO.
	info, sig := newEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP),
		Dialog: calltest.DialogScript{Answer: sipua.AnswerInfo{Allow: "INVITE, ACK, BYE, INFO"}}})
	if _, err := info.StartCall(ctx, spec(t, `{"callId":"i","callee":"x","sipDomain":"h","hasAudio":"false"}`)); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, info, "i", callapi.StatusEstablished)
	if sent, err := info.SendDTMF(ctx, "i", "7", call.DTMFRFC2833); err != nil || sent != call.DTMFInfo {
		t.Fatalf("RFC2833 falling back to INFO: %q %v", sent, err)
	}
	if got := sig.Sessions()[0].Infos(); len(got) != 1 || !strings.Contains(got[0], "Signal=7") {
		t.Fatalf("INFOs %q", got)
	}

	ringing, _ := newEngine(t, calltest.Script{Provisionals: []int{180}})
	if _, err := ringing.StartCall(ctx, spec(t, `{"callId":"n","callee":"x","sipDomain":"h"}`)); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, ringing, "n", callapi.StatusRing)
	if _, err := ringing.SendDTMF(ctx, "n", "1", call.DTMFInfo); !errors.Is(err, call.ErrNotEstablished) {
		t.Fatalf("ringing call: %v", err)
	}
}
