package rtp

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/mailbox"
)

// mailboxSize bounds an RTP actor's mailbox, nearly all datagrams: a second of a 4 Mbit/s camera
// (about 400 packets of 1,200 bytes a second), more of a softphone, ten times what the jitter
// buffer lets a packet wait. The actor handles a packet in microseconds, so its mailbox fills
// only while it cannot run (a supervised restart, a starved CPU); a packet that waited longer is
// stale. While this many messages wait, a datagram is dropped on arrival and counted
// (sipcast_mailbox_dropped_total{actor="rtp"}), and the path sees it as the network's loss:
// the jitter buffer asks for it again (NACK) or gives it up, video asks for a key frame.
const mailboxSize = 1024

// mailboxProps gives the actor a mailbox that bounds its datagrams (internal/mailbox). Control
// messages — Configure, Peer, SendDTMF, Subscribe, keyframe requests, ticks — are never
// dropped: the call and the timers send few of them.
func mailboxProps() actor.PropsOption {
	return actor.WithMailbox(mailbox.Producer(mailbox.Config{Actor: "rtp", Size: mailboxSize, Droppable: isDatagram}))
}

// isDatagram tells what the device sent from what the gateway did.
func isDatagram(msg any) bool {
	switch msg.(type) {
	case *packetRead, *rtcpRead:
		return true
	}
	return false
}
