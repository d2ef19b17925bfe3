package registry

import (
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// callBody is a live call publishing itself to rtmp://h/live as rtmp_s1, with toStream s1.
const callBody = `{"callId":"c1","appKey":"k1","callee":"a","sipDomain":"h","toStream":"s1","rtmpUrl":"rtmp://h/live","rtmpStream":"rtmp_s1"}`

func (h *harness) startPush(body string) *PushResponse {
	h.t.Helper()
	s, err := callapi.ParsePushStart([]byte(body), "rtmp_")
	if err != nil {
		h.t.Fatal(err)
	}
	return h.ask(&StartPush{Spec: s}).(*PushResponse)
}

func (h *harness) pushes(stream, url string) []callapi.Push {
	h.t.Helper()
	return h.ask(&FindPushes{StreamName: stream, RTMPURL: url}).(*FindPushesResponse).Pushes
}

func liveCall(t *testing.T) *harness {
	h := newHarness(t, time.Minute)
	h.mustStart(callBody)
	h.waitFor("first snapshot", func() bool { return h.status("c1") == callapi.StatusTrying })
	return h
}

// A push is one more target of a live call's stream; stream name + normalised target is unique
// among pushes, and a push may not duplicate the call's own target.
func TestPushKeys(t *testing.T) {
	for _, tc := range []struct {
		name   string
		second string // after a first push of s1 to rtmp://other/app
		code   Code
		msg    string
	}{
		{"same push again", `{"streamName":"s1","rtmpUrl":"rtmp://other/app"}`, Conflict, "already pushed"},
		{"same push, other spelling", `{"streamName":"s1","rtmpUrl":"rtmp://OTHER:1935/app/"}`, Conflict, "already pushed"},
		{"the call's own target", `{"streamName":"s1","rtmpUrl":"rtmp://h/live"}`, Conflict, "already publishes"},
		{"another server", `{"streamName":"s1","rtmpUrl":"rtmp://third/app"}`, OK, ""},
		{"no call with that stream", `{"streamName":"s9","rtmpUrl":"rtmp://other/app"}`, NotFound, `toStream "s9"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := liveCall(t)
			first := h.startPush(`{"streamName":"s1","rtmpUrl":"rtmp://other/app","options":{"action":"mute"}}`)
			if first.Code != OK {
				t.Fatalf("first push: %v %s", first.Code, first.Message)
			}
			p := first.Push
			if p.MediaSessionID == "" || p.CallID != "c1" || p.PublishedName != "rtmp_s1" || !p.Muted ||
				p.Width != 640 || p.RTMPStreamStatus != callapi.RTMPStreamWait {
				t.Fatalf("push %+v", p)
			}
			add, ok := h.received().(*call.AddPush)
			if !ok || add.ID != p.MediaSessionID || !add.Muted || add.Target.Stream != "rtmp_s1" {
				t.Fatalf("the call got %+v", add)
			}
			res := h.startPush(tc.second)
			if res.Code != tc.code || !strings.Contains(res.Message, tc.msg) {
				t.Fatalf("%v %q, want %v %q", res.Code, res.Message, tc.code, tc.msg)
			}
			want := 1
			if tc.code == OK {
				want = 2
			}
			if got := len(h.pushes("", "")); got != want {
				t.Fatalf("%d pushes listed, want %d", got, want)
			}
		})
	}
}

// Commands reach the call; a terminated push frees its key; the pushes of an ended call go with
// it.
func TestPushLifeCycle(t *testing.T) {
	h := liveCall(t)
	const body = `{"streamName":"s1","rtmpUrl":"rtmp://other/app"}`
	p := h.startPush(body).Push
	h.received() // AddPush

	res := h.ask(&PushCommand{ID: p.MediaSessionID, Op: PushMute}).(*PushResponse)
	if res.Code != OK || !res.Push.Muted {
		t.Fatalf("mute: %+v", res)
	}
	if a, ok := h.received().(*call.PushAudio); !ok || a.ID != p.MediaSessionID || a.Set.Muted == nil || !*a.Set.Muted {
		t.Fatalf("the call got %+v", a)
	}
	res = h.ask(&PushCommand{ID: p.MediaSessionID, Op: PushSoundOn, Sound: &rtmp.Sound{}}).(*PushResponse)
	if res.Code != OK || !res.Push.SoundEnabled {
		t.Fatalf("sound on: %+v", res)
	}
	h.received()

	// The call reports the push's RTMP status: listed, and notified with the call's appKey.
	h.system.Root.Send(h.pid, &call.PushStatus{CallID: "c1", ID: p.MediaSessionID, Status: callapi.RTMPStreamActive})
	if got := h.pushes("s1", ""); len(got) != 1 || got[0].RTMPStreamStatus != callapi.RTMPStreamActive {
		t.Fatalf("find after status: %+v", got)
	}
	h.mu.Lock()
	ev := h.events[len(h.events)-1]
	h.mu.Unlock()
	if ev.event != EventPushStatus || ev.callID != "c1" || ev.appKey != "k1" {
		t.Fatalf("event %+v", ev)
	}

	if res := h.ask(&PushCommand{ID: p.MediaSessionID, Op: PushTerminate}).(*PushResponse); res.Code != OK {
		t.Fatalf("terminate: %+v", res)
	}
	if r, ok := h.received().(*call.RemovePush); !ok || r.ID != p.MediaSessionID {
		t.Fatalf("the call got %+v", r)
	}
	if res := h.ask(&PushCommand{ID: p.MediaSessionID, Op: PushMute}).(*PushResponse); res.Code != NotFound {
		t.Fatalf("command to a terminated push: %v", res.Code)
	}
	again := h.startPush(body)
	if again.Code != OK {
		t.Fatalf("key not freed: %v %s", again.Code, again.Message)
	}
	h.received()

	h.tell("c1", &endAs{callapi.StatusFinish})
	h.waitFor("the call gone", func() bool { return h.live("c1") == nil })
	if got := h.pushes("", ""); len(got) != 0 {
		t.Fatalf("pushes of an ended call still listed: %+v", got)
	}
	if res := h.ask(&PushCommand{ID: again.Push.MediaSessionID, Op: PushUnmute}).(*PushResponse); res.Code != NotFound {
		t.Fatalf("command to a push of an ended call: %v", res.Code)
	}
	if res := h.startPush(body); res.Code != NotFound {
		t.Fatalf("push of an ended call's stream: %v", res.Code)
	}
}

// /push/find by stream name (plain or as published) and rtmpUrl (trailing slash ignored),
// oldest first.
func TestFindPushes(t *testing.T) {
	h := liveCall(t)
	h.mustStart(`{"callId":"c2","callee":"a","sipDomain":"h","toStream":"s2"}`)
	var ids []string
	for _, b := range []string{`{"streamName":"s1","rtmpUrl":"rtmp://a/app"}`, `{"streamName":"s2","rtmpUrl":"rtmp://a/app"}`,
		`{"streamName":"s1","rtmpUrl":"rtmp://b/app"}`} {
		res := h.startPush(b)
		if res.Code != OK {
			t.Fatalf("%s: %v %s", b, res.Code, res.Message)
		}
		ids = append(ids, res.Push.MediaSessionID)
		h.received()
	}
	for _, tc := range []struct {
		stream, url string
		want        []int
	}{
		{"", "", []int{0, 1, 2}},
		{"s1", "", []int{0, 2}},
		{"rtmp_s1", "", []int{0, 2}},
		{"", "rtmp://a/app/", []int{0, 1}},
		{"s1", "rtmp://b/app", []int{2}},
		{"s3", "", nil},
	} {
		got := h.pushes(tc.stream, tc.url)
		if len(got) != len(tc.want) {
			t.Fatalf("%q %q: %d pushes, want %d", tc.stream, tc.url, len(got), len(tc.want))
		}
		for i, k := range tc.want {
			if got[i].MediaSessionID != ids[k] {
				t.Fatalf("%q %q: push %d is %s, want %s", tc.stream, tc.url, i, got[i].MediaSessionID, ids[k])
			}
		}
	}
}
