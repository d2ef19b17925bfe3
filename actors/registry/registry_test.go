package registry

import (
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/notify"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// A live call's keys are its own: callId, toStream, and rtmpUrl+rtmpStream as normalised by
// rtmpurl (scheme and host case, default port, slashes). A second start that shares one is a
// Conflict, which the engine turns into ErrConflict and the REST layer into 409.
func TestUniqueKeys(t *testing.T) {
	const first = `{"callId":"c1","callee":"a","sipDomain":"h","toStream":"s1","rtmpUrl":"rtmp://LocalHost/live/","rtmpStream":"main"}`
	for _, tc := range []struct {
		name   string
		second string
		code   Code
		msg    string
	}{
		{"same callId", `{"callId":"c1","callee":"b","sipDomain":"h","toStream":"s2"}`, Conflict, `callId "c1"`},
		{"same toStream", `{"callId":"c2","callee":"b","sipDomain":"h","toStream":"s1"}`, Conflict, `toStream "s1" is already used by call "c1"`},
		{"same target, same spelling", `{"callId":"c2","callee":"b","sipDomain":"h","rtmpUrl":"rtmp://LocalHost/live/","rtmpStream":"main"}`,
			Conflict, `rtmpUrl+rtmpStream`},
		{"same target: host case, default port, slash", `{"callId":"c2","callee":"b","sipDomain":"h","rtmpUrl":"rtmp://localhost:1935/live","rtmpStream":"main"}`,
			Conflict, `already used by call "c1"`},
		{"same server, other stream", `{"callId":"c2","callee":"b","sipDomain":"h","rtmpUrl":"rtmp://localhost/live","rtmpStream":"other"}`, OK, ""},
		{"same stream, other app", `{"callId":"c2","callee":"b","sipDomain":"h","rtmpUrl":"rtmp://localhost/live2","rtmpStream":"main"}`, OK, ""},
		{"same stream, other port", `{"callId":"c2","callee":"b","sipDomain":"h","rtmpUrl":"rtmp://localhost:1936/live","rtmpStream":"main"}`, OK, ""},
		{"same host and stream over rtmps", `{"callId":"c2","callee":"b","sipDomain":"h","rtmpUrl":"rtmps://localhost/live","rtmpStream":"main"}`, OK, ""},
		{"all new", `{"callId":"c2","callee":"b","sipDomain":"h","toStream":"s2"}`, OK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, time.Minute)
			h.mustStart(first)
			res := h.start(tc.second)
			if res.Code != tc.code || !strings.Contains(res.Message, tc.msg) {
				t.Fatalf("%v %q, want %v %q", res.Code, res.Message, tc.code, tc.msg)
			}
			if tc.code == OK && res.Call.CallID != "c2" {
				t.Fatalf("answer %+v", res.Call)
			}
			if tc.code == Conflict && len(h.find(map[string]any{"callId": "c2"})) != 0 {
				t.Fatal("a refused call is listed")
			}
		})
	}
}

// A refusal names the holder of the target without its password.
func TestConflictHidesCredentials(t *testing.T) {
	h := newHarness(t, time.Minute)
	h.mustStart(`{"callId":"c1","callee":"a","sipDomain":"h","rtmpUrl":"rtmp://u:s3cret@h/live","rtmpStream":"x"}`)
	res := h.start(`{"callId":"c2","callee":"a","sipDomain":"h","rtmpUrl":"rtmp://u:s3cret@h/live","rtmpStream":"x"}`)
	if res.Code != Conflict || strings.Contains(res.Message, "s3cret") {
		t.Fatalf("%v %q", res.Code, res.Message)
	}
}

// However a call ends, its keys are free for the next one: at its final snapshot, or at its
// actor's Terminated when it had none (a crash).
func TestKeysFreedWhenCallEnds(t *testing.T) {
	const body = `{"callId":"c1","callee":"a","sipDomain":"h","toStream":"s1","rtmpUrl":"rtmp://h/live","rtmpStream":"main"}`
	for _, tc := range []struct {
		name   string
		end    func(h *harness)
		status string // listed after the end; "" for not listed
		reason string
	}{
		{"terminated on request", func(h *harness) {
			if res := h.ask(&TerminateCall{CallID: "c1"}).(*TerminateCallResponse); res.Code != OK {
				t.Fatalf("terminate: %v %s", res.Code, res.Message)
			}
		}, "", ""},
		{"callee busy", func(h *harness) { h.tell("c1", &endAs{callapi.StatusBusy}) }, callapi.StatusBusy, ""},
		{"callee hung up", func(h *harness) { h.tell("c1", &endAs{callapi.StatusFinish}) }, callapi.StatusFinish, ""},
		{"call actor crashed", func(h *harness) { h.tell("c1", &crash{}) }, callapi.StatusFailed, call.ErrActorFailed.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, time.Minute)
			h.mustStart(body)
			h.waitFor("first snapshot", func() bool { return h.status("c1") == callapi.StatusTrying })
			tc.end(h)
			if tc.status != "" {
				h.waitFor("status "+tc.status, func() bool { return h.status("c1") == tc.status })
			}
			h.waitFor("the actor gone", func() bool { return h.live("c1") == nil })
			calls := h.find(map[string]any{"callId": "c1"})
			if tc.status == "" && len(calls) != 0 {
				t.Fatalf("terminated call still listed: %+v", calls)
			}
			if tc.reason != "" && (calls[0].Reason == nil || *calls[0].Reason != tc.reason) {
				t.Fatalf("reason %v", calls[0].Reason)
			}
			if tc.status != "" {
				h.mu.Lock()
				last := h.snapshots[len(h.snapshots)-1]
				h.mu.Unlock()
				if last.Status != tc.status {
					t.Fatalf("last notified status %s, want %s", last.Status, tc.status)
				}
			}
			// Every key at once, the callId included (an ended call on display holds none).
			h.mustStart(body)
			if h.live("c1") == nil {
				t.Fatal("the new call has no actor")
			}
		})
	}
}

// A call that ended by itself stays listed for EndedTTL with its final status, so a polling
// client learns why; then it goes. Terminating it meanwhile takes it off at once.
func TestEndedCallListedForTTL(t *testing.T) {
	const ttl = 7 * time.Second
	h := newHarness(t, ttl)
	h.mustStart(`{"callId":"c1","callee":"a","sipDomain":"h","toStream":"s1"}`)
	h.mustStart(`{"callId":"c2","callee":"a","sipDomain":"h","toStream":"s2"}`)
	h.waitFor("first snapshots", func() bool { return h.status("c1") != "" && h.status("c2") != "" })
	h.tell("c1", &endAs{callapi.StatusBusy})
	h.waitFor("c1 gone", func() bool { return h.live("c1") == nil })
	h.tell("c2", &endAs{callapi.StatusBusy})
	h.waitFor("c2 gone", func() bool { return h.live("c2") == nil })
	if h.status("c1") != callapi.StatusBusy || h.status("c2") != callapi.StatusBusy {
		t.Fatal("an ended call is not listed with its final status")
	}
	if res := h.ask(&TerminateCall{CallID: "c2"}).(*TerminateCallResponse); res.Code != OK {
		t.Fatalf("terminate an ended call: %v", res.Code)
	}
	if h.status("c2") != "" {
		t.Fatal("a terminated ended call is still listed")
	}
	h.expire(0, ttl)
	if h.status("c1") != "" {
		t.Fatal("c1 listed after its TTL")
	}
	if res := h.ask(&TerminateCall{CallID: "c1"}).(*TerminateCallResponse); res.Code != NotFound {
		t.Fatalf("terminate an expired call: %v", res.Code)
	}
}

// A call ended by request is not listed at all: nothing waits to expire it.
func TestTerminatedCallNotKept(t *testing.T) {
	h := newHarness(t, time.Minute)
	h.mustStart(`{"callId":"c1","callee":"a","sipDomain":"h","toStream":"s1"}`)
	if res := h.ask(&TerminateCall{CallID: "c1"}).(*TerminateCallResponse); res.Code != OK {
		t.Fatal(res.Message)
	}
	h.mu.Lock()
	n := len(h.expiries)
	h.mu.Unlock()
	if n != 0 || h.status("c1") != "" {
		t.Fatalf("%d expiries, status %q", n, h.status("c1"))
	}
}

// A later call of the same callId is not expired by its predecessor's wait.
func TestExpiryKeepsNewerCall(t *testing.T) {
	const ttl = time.Minute
	h := newHarness(t, ttl)
	for i := range 2 {
		h.mustStart(`{"callId":"c1","callee":"a","sipDomain":"h","toStream":"s1"}`)
		h.waitFor("first snapshot", func() bool { return h.status("c1") == callapi.StatusTrying })
		h.tell("c1", &endAs{callapi.StatusFailed})
		h.waitFor("the actor gone", func() bool { return h.live("c1") == nil })
		h.waitFor("expiry scheduled", func() bool {
			h.mu.Lock()
			defer h.mu.Unlock()
			return len(h.expiries) == i+1
		})
	}
	h.expire(0, ttl)
	if h.status("c1") != callapi.StatusFailed {
		t.Fatal("the first call's expiry dropped the second")
	}
	h.expire(1, ttl)
	if h.status("c1") != "" {
		t.Fatal("the second call outlived its expiry")
	}
}

// DTMF and registration events of a call go to the notifications with its appKey.
func TestCallEventsPublished(t *testing.T) {
	h := newHarness(t, time.Minute)
	h.system.Root.Send(h.pid, &call.DTMFReceived{DTMF: callapi.IncomingDTMF{CallID: "c1", AppKey: callapi.Str("k1"), DTMF: "5"}})
	h.system.Root.Send(h.pid, &call.RegistrationChanged{Registration: callapi.Registration{CallID: "c1", Status: callapi.RegistrationRegistered}})
	h.ask(&FindCalls{}) // after both, in mailbox order
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.events) != 2 || h.events[0].event != notify.EventIncomingDTMF || h.events[0].callID != "c1" ||
		h.events[0].appKey != "k1" || h.events[1].event != notify.EventRegistrationStatus || h.events[1].appKey != "" {
		t.Fatalf("%+v", h.events)
	}
}
