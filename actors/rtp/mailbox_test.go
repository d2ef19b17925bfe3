package rtp

import (
	"fmt"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/media/frame"
)

// Only what the device sent may be dropped from a full mailbox; every message of the call, the
// transcoder and the actor's timers must arrive.
func TestOnlyDatagramsAreDroppable(t *testing.T) {
	for _, tc := range []struct {
		msg  any
		drop bool
	}{
		{&packetRead{}, true},
		{&rtcpRead{}, true},
		{&Configure{}, false},
		{&Peer{}, false},
		{&SendDTMF{}, false},
		{&actor.MessageEnvelope{Message: &SendDTMF{}}, false}, // a request, with its sender
		{&Subscribe{}, false},
		{&frame.KeyframeNeeded{}, false},
		{&frame.DeviceKeyframe{}, false},
		{&ForcePanic{}, false},
		{&readFailed{}, false},
		{&reportTick{}, false},
		{&jitterTick{}, false},
		{&silenceTick{}, false},
		{&dtmfTick{}, false},
	} {
		t.Run(fmt.Sprintf("%T", tc.msg), func(t *testing.T) {
			if got := isDatagram(tc.msg); got != tc.drop {
				t.Fatalf("droppable %v, want %v", got, tc.drop)
			}
		})
	}
}
