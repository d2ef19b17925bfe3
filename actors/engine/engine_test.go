package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/call/calltest"
	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// These tests run the real registry, call, RTP and RTMP actors; only the SIP edge is faked
// (calltest), so they are about the actors' own logic: uniqueness, life cycle, supervision.

const answerSDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
	"m=audio 49170 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n" +
	"m=video 49172 RTP/AVP 112\r\na=rtpmap:112 H264/90000\r\na=fmtp:112 packetization-mode=1\r\na=sendrecv\r\n"

var portBase atomic.Int32

func init() { portBase.Store(42000) }

func newEngine(t *testing.T, script calltest.Script) (*Engine, *calltest.Signaling) {
	t.Helper()
	sig := &calltest.Signaling{Script: script}
	base := int(portBase.Add(200))
	ports, err := rtp.NewPorts(net.ParseIP("127.0.0.1"), base, base+199)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Start(registry.Config{
		EndedTTL: time.Second,
		NewCall: func(spec callapi.Startup) *actor.Props {
			return call.NewProps(call.Config{Spec: spec, SIP: sig, Ports: ports, MediaIP: "127.0.0.1",
				InviteTimeout: 2 * time.Second, RTMPConnectTimeout: time.Second})
		},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Stop(5 * time.Second) })
	return eng, sig
}

func spec(t *testing.T, body string) callapi.Startup {
	t.Helper()
	s, err := callapi.ParseStartup([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func waitStatus(t *testing.T, eng *Engine, callID, status string) callapi.Call {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	var last []callapi.Call
	for time.Now().Before(deadline) {
		last, _ = eng.Find(context.Background(), map[string]any{"callId": callID})
		if len(last) == 1 && last[0].Status == status {
			return last[0]
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("call %s never reached %s; last %+v", callID, status, last)
	return callapi.Call{}
}

func TestStartFindTerminate(t *testing.T) {
	eng, sig := newEngine(t, calltest.Script{Provisionals: []int{100, 180}, AnswerSDP: []byte(answerSDP)})
	ctx := context.Background()
	c, err := eng.StartCall(ctx, spec(t, `{"callId":"c1","callee":"alice","sipDomain":"127.0.0.1","toStream":"s1"}`))
	if err != nil || c.CallID != "c1" || c.StreamName == nil || *c.StreamName != "s1" {
		t.Fatalf("start: %+v %v", c, err)
	}
	got := waitStatus(t, eng, "c1", callapi.StatusEstablished)
	if got.SIPStatus == nil || *got.SIPStatus != 200 {
		t.Fatalf("sipStatus %v", got.SIPStatus)
	}
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"c1","callee":"x","sipDomain":"h","toStream":"other"}`)); !errors.Is(err, registry.ErrConflict) {
		t.Fatalf("duplicate callId: %v", err)
	}
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"c2","callee":"x","sipDomain":"h","toStream":"s1"}`)); !errors.Is(err, registry.ErrConflict) {
		t.Fatalf("duplicate toStream: %v", err)
	}
	inv := sig.Invites()[0]
	if inv.CallID != "c1" || inv.Callee != "alice" || inv.Port != 5060 || len(inv.SDP) == 0 {
		t.Fatalf("invite %+v", inv)
	}
	if err := eng.Terminate(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if acked, byes, _ := sig.Sessions()[0].State(); !acked || byes != 1 {
		t.Fatalf("acked=%v byes=%d", acked, byes)
	}
	if calls, _ := eng.Find(ctx, map[string]any{"callId": "c1"}); len(calls) != 0 {
		t.Fatalf("terminated call still listed: %+v", calls)
	}
	if err := eng.Terminate(ctx, "c1"); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("second terminate: %v", err)
	}
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"c1","callee":"alice","sipDomain":"127.0.0.1","toStream":"s1"}`)); err != nil {
		t.Fatalf("keys not freed: %v", err)
	}
}

func TestRTMPTargetUniqueNormalised(t *testing.T) {
	eng, _ := newEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)})
	ctx := context.Background()
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"a","callee":"x","sipDomain":"h","rtmpUrl":"rtmp://LocalHost/live/","rtmpStream":"s"}`)); err != nil {
		t.Fatal(err)
	}
	_, err := eng.StartCall(ctx, spec(t, `{"callId":"b","callee":"x","sipDomain":"h","rtmpUrl":"rtmp://localhost:1935/live","rtmpStream":"s"}`))
	if !errors.Is(err, registry.ErrConflict) {
		t.Fatalf("same target, other spelling: %v", err)
	}
	// Nothing listens on the target: the publisher fails, the call does not. (A port just freed,
	// not 1935, so the test does not depend on what else runs on the machine.)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"c","callee":"x","sipDomain":"h","rtmpUrl":"rtmp://`+closed+`/live","rtmpStream":"s"}`)); err != nil {
		t.Fatal(err)
	}
	c := waitStatus(t, eng, "c", callapi.StatusEstablished)
	deadline := time.Now().Add(3 * time.Second)
	for (c.RTMPStreamStatus == nil || *c.RTMPStreamStatus != callapi.RTMPConnectionFailed) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		c = waitStatus(t, eng, "c", callapi.StatusEstablished)
	}
	if c.RTMPStreamStatus == nil || *c.RTMPStreamStatus != callapi.RTMPConnectionFailed {
		t.Fatalf("rtmpStreamStatus %v", c.RTMPStreamStatus)
	}
}

func TestFinalStatuses(t *testing.T) {
	for _, tc := range []struct {
		script calltest.Script
		status string
		code   int
	}{
		{calltest.Script{Provisionals: []int{100}, FinalCode: 486}, callapi.StatusBusy, 486},
		{calltest.Script{FinalCode: 600}, callapi.StatusBusy, 600},
		{calltest.Script{FinalCode: 404}, callapi.StatusFailed, 404},
	} {
		t.Run(fmt.Sprint(tc.code), func(t *testing.T) {
			eng, _ := newEngine(t, tc.script)
			if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"f","callee":"x","sipDomain":"h","toStream":"t"}`)); err != nil {
				t.Fatal(err)
			}
			c := waitStatus(t, eng, "f", tc.status)
			if c.SIPStatus == nil || *c.SIPStatus != tc.code {
				t.Fatalf("sipStatus %v: %s", c.SIPStatus, dumpCall(c))
			}
			// Ended calls free their keys at once, while staying visible to find.
			if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"g","callee":"x","sipDomain":"h","toStream":"t"}`)); err != nil {
				t.Fatalf("keys not freed: %v", err)
			}
		})
	}
}

func TestNoAnswerTimesOut(t *testing.T) {
	eng, sig := newEngine(t, calltest.Script{Provisionals: []int{100, 180}})
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"n","callee":"x","sipDomain":"h"}`)); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, eng, "n", callapi.StatusRing)
	c := waitStatus(t, eng, "n", callapi.StatusFailed)
	if c.Reason == nil || !strings.Contains(*c.Reason, "no answer") {
		t.Fatalf("reason %v", c.Reason)
	}
	if _, _, cancelled := sig.Sessions()[0].State(); !cancelled {
		t.Fatal("INVITE not cancelled on timeout")
	}
}

func TestCalleeHangsUp(t *testing.T) {
	eng, sig := newEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)})
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"h","callee":"x","sipDomain":"h"}`)); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, eng, "h", callapi.StatusEstablished)
	sig.Sessions()[0].HangUp()
	waitStatus(t, eng, "h", callapi.StatusFinish)
}

// A panic in one call's actor tree stays in that call: a crashed RTP child is restarted and its
// call goes on; a crashed call actor is stopped (FAILED, BYE sent, keys freed); the other call
// is untouched throughout.
func TestCrashContained(t *testing.T) {
	eng, sig := newEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)})
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if _, err := eng.StartCall(ctx, spec(t, fmt.Sprintf(`{"callId":%q,"callee":"x","sipDomain":"h"}`, id))); err != nil {
			t.Fatal(err)
		}
		waitStatus(t, eng, id, callapi.StatusEstablished)
	}
	pidA, pidB := eng.Lookup("a"), eng.Lookup("b")
	if pidA == nil || pidB == nil {
		t.Fatal("lookup failed")
	}
	audioB := actor.NewPID(pidB.Address, pidB.Id+"/audio")
	eng.System.Root.Send(audioB, &rtp.ForcePanic{})
	time.Sleep(200 * time.Millisecond)
	waitStatus(t, eng, "b", callapi.StatusEstablished)

	eng.System.Root.Send(pidA, &call.ForcePanic{})
	c := waitStatus(t, eng, "a", callapi.StatusFailed)
	if c.Reason == nil || *c.Reason != call.ErrActorFailed.Error() {
		t.Fatalf("reason %v", c.Reason)
	}
	waitStatus(t, eng, "b", callapi.StatusEstablished)
	deadline := time.Now().Add(3 * time.Second)
	for {
		if _, byes, _ := sig.Sessions()[0].State(); byes == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("crashed call's dialog not ended with BYE")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := eng.StartCall(ctx, spec(t, `{"callId":"a","callee":"x","sipDomain":"h"}`)); err != nil {
		t.Fatalf("crashed call's keys not freed: %v", err)
	}
}

func dumpCall(c callapi.Call) string {
	r := ""
	if c.Reason != nil {
		r = *c.Reason
	}
	return fmt.Sprintf("status=%s reason=%q", c.Status, r)
}
