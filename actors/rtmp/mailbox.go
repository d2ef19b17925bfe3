package rtmp

import (
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/internal/mailbox"
	"github.com/sipcast/sipcast/media/frame"
)

// mailboxSize bounds a publisher's mailbox, nearly all frames: as many as the writer's queue
// (queueLen), about 3 s of 25 fps video with its audio. The actor only hands frames on to its
// writer, so its mailbox fills only while it cannot run: a supervised restart, or stopping a
// writer that still drains to a slow server. A frame that waited longer is stale; while this
// many messages wait, a frame is dropped on arrival and counted (sipcast_mailbox_dropped_total{actor="rtmp"}), and the
// publisher restarts on a key frame (noticeHole).
const mailboxSize = queueLen

// mailboxProps gives the publisher a mailbox that bounds its frames (internal/mailbox); drops
// counts what it dropped, for the actor to notice. Control messages — Tracks, SetAudio, the
// connect and writer reports, retry timers — are never dropped.
func mailboxProps(drops *atomic.Uint64) actor.PropsOption {
	return actor.WithMailbox(mailbox.Producer(mailbox.Config{Actor: "rtmp", Size: mailboxSize,
		Droppable: isFrame, Dropped: drops}))
}

func isFrame(msg any) bool {
	switch msg.(type) {
	case *frame.VideoFrame, *frame.AudioFrame:
		return true
	}
	return false
}

// noticeHole runs before each frame: when the mailbox dropped frames since the last one, the
// stream has a hole. A kept GOP with a hole is broken and is not replayed (the next key frame
// starts a new one); on the air, video waits for the next key frame and asks for it, as after
// a frame the writer could not take (drop).
func (a *Actor) noticeHole(ctx actor.Context) {
	n := a.mailDrops.Load()
	if n == a.seenDrops {
		return
	}
	a.seenDrops = n
	a.gop.frames, a.gop.full = nil, true
	if !a.waitingKey && a.kept.tracks != nil && a.kept.tracks.Video {
		a.waitingKey = true
		ctx.Send(a.parent, &frame.KeyframeNeeded{})
	}
}
