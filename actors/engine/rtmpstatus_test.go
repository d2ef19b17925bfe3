package engine

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/actors/call/calltest"
	"github.com/sipcast/sipcast/demo/rtmpserver"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Issue #12: a call that ended kept rtmpStreamStatus RTMP_STREAM_ACTIVE. Once it ends, its
// stream is unpublished, and the status stays visible with the call saying so.
func TestEndedCallEndsRTMPStatus(t *testing.T) {
	srv := &rtmpserver.Server{Addr: "127.0.0.1:0"}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	eng, sig := newEngine(t, calltest.Script{AnswerSDP: []byte(answerSDP)})
	url := "rtmp://" + srv.ListenAddr().String() + "/live"
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"e","callee":"x","sipDomain":"h","rtmpUrl":"`+url+`","rtmpStream":"s"}`)); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, eng, "e", callapi.StatusEstablished)
	deadline := time.Now().Add(5 * time.Second)
	for {
		c := waitStatus(t, eng, "e", callapi.StatusEstablished)
		if str(c.RTMPStreamStatus) == callapi.RTMPStreamActive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never RTMP_STREAM_ACTIVE: %s", dumpCall(c))
		}
		time.Sleep(20 * time.Millisecond)
	}
	sig.Sessions()[0].HangUp()
	c := waitStatus(t, eng, "e", callapi.StatusFinish)
	if got := str(c.RTMPStreamStatus); got != callapi.RTMPConnectionLost {
		t.Fatalf("ended call's rtmpStreamStatus %q, want %s: %s", got, callapi.RTMPConnectionLost, dumpCall(c))
	}
	// It stays so: no late word of the publisher brings it back.
	time.Sleep(300 * time.Millisecond)
	if c := waitStatus(t, eng, "e", callapi.StatusFinish); str(c.RTMPStreamStatus) != callapi.RTMPConnectionLost {
		t.Fatalf("later rtmpStreamStatus %q", str(c.RTMPStreamStatus))
	}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// A panic in a goroutine the call owns (here its INVITE transaction) reaches the call as the
// transaction's failure: the call ends FAILED saying why, and the process goes on.
func TestInvitePanicFailsCall(t *testing.T) {
	eng, _ := newEngine(t, calltest.Script{PanicInvite: true})
	if _, err := eng.StartCall(context.Background(), spec(t, `{"callId":"p","callee":"x","sipDomain":"h"}`)); err != nil {
		t.Fatal(err)
	}
	c := waitStatus(t, eng, "p", callapi.StatusFailed)
	if !strings.Contains(str(c.Reason), "goroutine panicked") {
		t.Fatalf("reason %q", str(c.Reason))
	}
}
