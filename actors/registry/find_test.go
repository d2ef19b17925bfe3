package registry

import (
	"testing"
	"time"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// A filter entry compares the call object's field of that JSON name as text, as clients send
// values; null constrains nothing; an unknown name matches nothing.
func TestMatchAll(t *testing.T) {
	c := callapi.Call{CallID: "c1", Status: callapi.StatusEstablished, SIPStatus: callapi.Int(200), HasAudio: true,
		Callee: callapi.Str("alice"), StreamName: callapi.Str("s1"), Custom: map[string]any{}}
	for _, tc := range []struct {
		name   string
		filter map[string]any
		match  bool
	}{
		{"empty filter", nil, true},
		{"callId", map[string]any{"callId": "c1"}, true},
		{"other callId", map[string]any{"callId": "c2"}, false},
		{"status", map[string]any{"status": "ESTABLISHED"}, true},
		{"status padded", map[string]any{"status": " ESTABLISHED "}, true},
		{"number as text", map[string]any{"sipStatus": "200"}, true},
		{"number as JSON number", map[string]any{"sipStatus": float64(200)}, true},
		{"other number", map[string]any{"sipStatus": 486}, false},
		{"bool as text", map[string]any{"hasAudio": "true"}, true},
		{"bool", map[string]any{"hasVideo": true}, false},
		{"string field", map[string]any{"callee": "alice", "streamName": "s1"}, true},
		{"one of two differs", map[string]any{"callee": "alice", "streamName": "s2"}, false},
		{"null constrains nothing", map[string]any{"callee": nil, "callId": "c1"}, true},
		{"unknown field", map[string]any{"colour": "red"}, false},
		{"field that is null on the call", map[string]any{"reason": "x"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := matchAll(c, tc.filter); got != tc.match {
				t.Fatalf("match %v", got)
			}
		})
	}
}

// /call/find through the registry: by any field, oldest first, a lone callId by lookup.
func TestFindCalls(t *testing.T) {
	h := newHarness(t, time.Minute)
	for _, b := range []string{
		`{"callId":"c1","callee":"alice","sipDomain":"h","toStream":"s1"}`,
		`{"callId":"c2","callee":"bob","sipDomain":"h","toStream":"s2","hasVideo":false}`,
		`{"callId":"c3","callee":"alice","sipDomain":"h","toStream":"s3"}`,
	} {
		h.mustStart(b)
	}
	h.waitFor("snapshots", func() bool { return len(h.find(map[string]any{"status": callapi.StatusTrying})) == 3 })
	h.tell("c2", &endAs{callapi.StatusBusy})
	h.waitFor("c2 BUSY", func() bool { return h.status("c2") == callapi.StatusBusy })
	for _, tc := range []struct {
		name   string
		filter map[string]any
		want   []string
	}{
		{"all, oldest first", nil, []string{"c1", "c2", "c3"}},
		{"by callee", map[string]any{"callee": "alice"}, []string{"c1", "c3"}},
		{"by status", map[string]any{"status": callapi.StatusBusy}, []string{"c2"}},
		{"lone callId, padded", map[string]any{"callId": " c3 "}, []string{"c3"}},
		{"lone unknown callId", map[string]any{"callId": "c9"}, nil},
		{"by a bool as text", map[string]any{"hasVideo": "false"}, []string{"c2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := h.find(tc.filter)
			if len(got) != len(tc.want) {
				t.Fatalf("%d calls, want %v", len(got), tc.want)
			}
			for i, id := range tc.want {
				if got[i].CallID != id {
					t.Fatalf("call %d is %s, want %s", i, got[i].CallID, id)
				}
			}
		})
	}
}
