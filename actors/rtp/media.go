package rtp

import (
	"sync"
	"time"

	"github.com/pion/rtcp"
	pionrtp "github.com/pion/rtp"

	"github.com/sipcast/sipcast/internal/udppoll"
	"github.com/sipcast/sipcast/media/frame"
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
	// Poller reads every RTP socket of the process in rounds (internal/udppoll). nil: one the
	// package makes with udppoll.DefaultInterval.
	Poller *udppoll.Poller
}

var (
	defaultPollerOnce sync.Once
	defaultPoller     *udppoll.Poller
)

func (o MediaOptions) poller() *udppoll.Poller {
	if o.Poller != nil {
		return o.Poller
	}
	defaultPollerOnce.Do(func() {
		p, err := udppoll.New(udppoll.DefaultInterval)
		if err != nil {
			panic(err) // a constant within range
		}
		defaultPoller = p
	})
	return defaultPoller
}

// buildPath replaces the packet path for a (new) Configure: a re-INVITE may change the codec,
// and the previous codec's path goes, whichever it was. On error the line has no path, and its
// packets are counted and dropped.
func (a *Actor) buildPath(m *Configure) error {
	a.closePath()
	aacRate := a.cfg.AACRate
	if m.AACRate > 0 {
		aacRate = m.AACRate
	}
	p, err := newPipe(a.cfg.Kind, m, pipeConfig{aacRate: aacRate, keyInterval: a.cfg.Media.KeyInterval, log: a.log}, a)
	if err != nil {
		return err
	}
	if a.cfg.Kind == Audio {
		p = &audioTap{pipe: p, a: a} // the device's audio, as it came, to the viewers (tap.go)
	}
	sync := &syncStage{next: p, log: a.log, clockRate: m.ClockRate, group: m.Sync}
	var order orderStage = &seqStage{next: sync}
	if !a.cfg.Media.JitterOff {
		root, self := a.system.Root, a.self
		js, err := newJitterStage(a.cfg.Media.JitterDepth, sync, a.cfg.Now, a.sendNACK,
			func() { root.Send(self, &jitterTick{}) })
		if err != nil {
			a.log.Error("jitter buffer off", "err", err)
		} else {
			order = js
		}
	}
	a.path = &path{order: order, sync: sync, pipe: p}
	return nil
}

func (a *Actor) closePath() {
	if a.path != nil {
		a.path.close()
		a.path = nil
	}
}

// handleJitterTick gives up the gaps that waited long enough.
func (a *Actor) handleJitterTick() {
	if a.path != nil {
		a.path.order.expire()
	}
}

// The actor is its pipes' sink.

func (a *Actor) publish(msg any) {
	for _, pid := range a.subscribers {
		a.system.Root.Send(pid, msg)
	}
	if f, ok := msg.(*frame.VideoFrame); ok {
		a.tapVideo(f)
	}
}

func (a *Actor) transcode(msg any) {
	if a.conf.Transcoder != nil {
		a.system.Root.Send(a.conf.Transcoder, msg)
	}
	if f, ok := msg.(*frame.EncodedVideo); ok {
		a.tapVideo(f)
	}
}

func (a *Actor) needKey() {
	a.keys.want = true
	a.requestKeyframe(false)
}

func (a *Actor) gotKey(sps []byte) {
	a.keys.want = false
	a.reportFormat(sps)
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

// deliver starts a media packet down the path.
func (a *Actor) deliver(pkt *pionrtp.Packet, arrival time.Time) {
	if a.path != nil {
		a.path.order.push(pkt, arrival, 0)
	}
}
