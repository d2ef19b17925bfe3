package rtp

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/pion/rtcp"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/media/jitter"
)

// MediaOptions are the receive-side settings every RTP actor of the gateway shares.
type MediaOptions struct {
	// JitterOff turns the jitter buffer off: packets go to the depacketiser as they arrive.
	// Default on (the spec's rtp_in_buffer).
	JitterOff bool
	// JitterDepth is the longest a packet waits for a missing earlier one. Default
	// jitter.DefaultDepth (100 ms).
	JitterDepth time.Duration
	// KeyInterval is the longest wait between key frames of passed-through H.264 before the
	// device is asked for one (PLI): RTMP players and HLS start on key frames, YouTube wants one
	// at least every 4 s, and a near-still camera may send one a minute. 0: never asked.
	KeyInterval time.Duration
}

// held is a packet waiting in the jitter buffer, by value: a packet that goes straight through
// costs no allocation.
type held struct {
	pkt     pionrtp.Packet
	arrival time.Time
}

// jitterTick is the jitter buffer's timer: a gap has waited long enough to be given up.
type jitterTick struct{}

// mediaState is what the jitter buffer, lip sync and the transcoded codecs add to an RTP actor.
type mediaState struct {
	jb      *jitter.Buffer[held]
	jbSSRC  uint32
	out     []jitter.Released[held]
	missing []uint16
	timer   *time.Timer
	armed   time.Time // the deadline the timer is set for
	lastSeq uint16    // without a jitter buffer: loss is seen from the sequence numbers
	hasSeq  bool
	lastKey time.Time // arrival of the last H.264 key frame passed through

	vp8   *vp8Pipe
	coded *codedPipe
	sync  syncState
}

// resetMedia prepares the state for a (new) Configure: the previous codec's pipes go, whichever
// they were (a re-INVITE may change the codec).
func (a *Actor) resetMedia(m *Configure) {
	a.stopMedia()
	if a.audio != nil {
		a.audio.close()
	}
	a.video, a.audio, a.pass = nil, nil, nil
	ms := &mediaState{}
	if !a.cfg.Media.JitterOff {
		// Size: at 90 kHz video a few hundred packets a second; 512 holds over a second of
		// them, far more than the depth lets wait.
		jb, err := jitter.New[held](jitter.Config{Depth: a.cfg.Media.JitterDepth, Size: 512})
		if err != nil {
			a.log.Error("jitter buffer off", "err", err)
		} else {
			ms.jb = jb
		}
	}
	ms.sync.group = m.Sync
	a.media = ms
}

// stopMedia stops the jitter timer.
func (a *Actor) stopMedia() {
	if a.media != nil && a.media.timer != nil {
		a.media.timer.Stop()
	}
}

// deliver passes one media packet through the jitter buffer (when on) to the depacketiser.
func (a *Actor) deliver(ctx actor.Context, pkt *pionrtp.Packet, arrival time.Time) {
	ms := a.media
	if ms == nil || ms.jb == nil {
		lost := 0
		if ms != nil {
			if ms.hasSeq && pkt.SSRC == ms.jbSSRC {
				if gap := int(int16(pkt.SequenceNumber - ms.lastSeq - 1)); gap > 0 {
					lost = gap
				}
			}
			ms.lastSeq, ms.hasSeq, ms.jbSSRC = pkt.SequenceNumber, true, pkt.SSRC
		}
		a.route(ctx, pkt, arrival, lost)
		return
	}
	if pkt.SSRC != ms.jbSSRC {
		// A new source shares no sequence numbers with the old one; what waited of the old one
		// is stale.
		ms.jb.Reset()
		ms.jbSSRC = pkt.SSRC
	}
	ms.out = ms.jb.Push(pkt.SequenceNumber, held{pkt: *pkt, arrival: arrival}, arrival, ms.out[:0])
	ms.missing = ms.jb.Missing(ms.missing[:0])
	if len(ms.missing) > 0 {
		a.sendNACK(pkt.SSRC, ms.missing)
	}
	a.releaseHeld(ctx)
}

// handleJitterTick gives up the gaps that waited long enough.
func (a *Actor) handleJitterTick(ctx actor.Context) {
	ms := a.media
	if ms == nil || ms.jb == nil {
		return
	}
	ms.armed = time.Time{}
	ms.out = ms.jb.Expire(a.cfg.Now(), ms.out[:0])
	a.releaseHeld(ctx)
}

// releaseHeld routes what the buffer let out, and sets the timer for what still waits.
func (a *Actor) releaseHeld(ctx actor.Context) {
	ms := a.media
	for i := range ms.out {
		r := &ms.out[i]
		a.route(ctx, &r.Item.pkt, r.Item.arrival, r.Lost)
		r.Item = held{} // drop the payload reference
	}
	at, ok := ms.jb.Deadline()
	if !ok || (!ms.armed.IsZero() && !at.Before(ms.armed)) {
		return
	}
	ms.armed = at
	if ms.timer != nil {
		ms.timer.Stop()
	}
	root, self := a.system.Root, a.self
	ms.timer = time.AfterFunc(max(at.Sub(a.cfg.Now()), 0), func() { root.Send(self, &jitterTick{}) })
}

// route hands one in-order packet to the line's pipe. lost packets just before it could not be
// repaired: video asks for a key frame at once, as its picture is broken until one comes.
func (a *Actor) route(ctx actor.Context, pkt *pionrtp.Packet, arrival time.Time, lost int) {
	if lost > 0 && a.cfg.Kind == Video {
		a.wantKey = true
		a.requestKeyframe(false)
	}
	a.applySync(pkt)
	switch {
	case a.video != nil:
		frame, lost := a.video.push(pkt, arrival)
		if lost {
			a.wantKey = true
			a.requestKeyframe(false)
		}
		if frame != nil {
			if frame.Key {
				a.wantKey = false
				a.media.lastKey = arrival
				a.reportFormat(ctx, frame.SPS)
			}
			a.publish(ctx, frame)
		}
		a.keepKeyInterval(arrival)
	case a.audio != nil:
		for _, f := range a.audio.push(pkt, arrival) {
			a.publish(ctx, f)
		}
	case a.pass != nil:
		for _, f := range a.pass.push(pkt, arrival) {
			a.publish(ctx, f)
		}
	case a.media != nil && a.media.vp8 != nil:
		a.routeVP8(ctx, pkt, arrival)
	case a.media != nil && a.media.coded != nil:
		if f := a.media.coded.push(pkt, arrival, a.log); f != nil && a.conf.Transcoder != nil {
			f.Lost = lost
			ctx.Send(a.conf.Transcoder, f)
		}
	}
}

// sendNACK asks the device to send missing video packets again (RFC 4585 generic NACK), when
// the answer accepted it.
func (a *Actor) sendNACK(ssrc uint32, missing []uint16) {
	if a.cfg.Kind != Video || a.conf == nil || !a.conf.NACK || a.conf.RemoteRTCP == nil {
		return
	}
	a.writeRTCP(a.receiverReport(), &rtcp.TransportLayerNack{
		SenderSSRC: a.ssrc, MediaSSRC: ssrc, Nacks: rtcp.NackPairsFromSequenceNumbers(missing),
	})
}

// keepKeyInterval asks the device for a key frame when its last one is older than KeyInterval;
// the tick repeats the request each second until one comes.
func (a *Actor) keepKeyInterval(now time.Time) {
	ki := a.cfg.Media.KeyInterval
	if ki <= 0 || a.wantKey || a.media.lastKey.IsZero() || now.Sub(a.media.lastKey) < ki {
		return
	}
	a.wantKey = true
	a.requestKeyframe(false)
}
