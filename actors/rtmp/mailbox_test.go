package rtmp

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/media/frame"
)

// Only media frames may be dropped from a full mailbox; the call's commands and the actor's own
// reports must arrive.
func TestOnlyFramesAreDroppable(t *testing.T) {
	for _, tc := range []struct {
		msg  any
		drop bool
	}{
		{&frame.VideoFrame{}, true},
		{&frame.AudioFrame{}, true},
		{&frame.Tracks{}, false},
		{&SetAudio{}, false},
		{&actor.MessageEnvelope{Message: &SetAudio{}}, false},
		{&ForcePanic{}, false},
		{&connected{}, false},
		{&connectFailed{}, false},
		{&writeFailed{}, false},
		{&retry{}, false},
	} {
		t.Run(fmt.Sprintf("%T", tc.msg), func(t *testing.T) {
			if got := isFrame(tc.msg); got != tc.drop {
				t.Fatalf("droppable %v, want %v", got, tc.drop)
			}
		})
	}
}

// A GOP kept while connecting is not replayed with a hole in it: after a mailbox drop, the kept
// frames go and the next key frame starts a new GOP.
func TestHoleDropsTheKeptGOP(t *testing.T) {
	key := &frame.VideoFrame{Key: true, SPS: []byte{1}, PPS: []byte{2}}
	a := &Actor{mailDrops: &atomic.Uint64{}, waitingKey: true}
	a.gop.add(key)
	a.gop.add(&frame.VideoFrame{})
	a.noticeHole(nil) // nothing dropped: the GOP stays
	if len(a.gop.frames) != 2 {
		t.Fatalf("kept %d frames without a hole, want 2", len(a.gop.frames))
	}
	a.mailDrops.Add(3)
	a.noticeHole(nil)
	a.gop.add(&frame.AudioFrame{})
	a.gop.add(&frame.VideoFrame{})
	if len(a.gop.frames) != 0 {
		t.Fatalf("kept %d frames after a hole, want none until a key frame", len(a.gop.frames))
	}
	a.gop.add(key)
	a.gop.add(&frame.VideoFrame{})
	if len(a.gop.frames) != 2 {
		t.Fatalf("kept %d frames from the next key frame, want 2", len(a.gop.frames))
	}
}
