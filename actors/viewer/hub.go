// Package viewer fans a call's media out to the people watching it. Each call that has a
// toStream gets a hub actor, a child of the call actor, which the call's RTP actors tap
// (rtp.Tap): it packetises the device's media once for browsers — H.264 in packetization mode
// 1, VP8, G.711 and Opus as they came — and copies every packet into each viewer's bounded
// queue (Sink). Viewers are added and removed by the WHEP front end, which finds hubs in a
// Directory by toStream. A slow viewer loses packets; the call, its RTMP output and the other
// viewers never wait for it.
package viewer

import (
	"crypto/rand"
	"encoding/binary"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/playback"
)

// Defaults of Config.
const (
	DefaultMaxViewers = 100
	// DefaultKeyframeInterval bounds how often the hub asks the device for a key frame on behalf
	// of its viewers: one join or one browser's PLI asks at once, a crowd no more than this.
	DefaultKeyframeInterval = 500 * time.Millisecond
)

// Config builds a hub.
type Config struct {
	Stream    string
	CallID    string
	Directory *Directory
	// MaxViewers is the most viewers at once; past it AddViewer fails. Default DefaultMaxViewers.
	MaxViewers int
	// KeyframeInterval: see DefaultKeyframeInterval.
	KeyframeInterval time.Duration
	Logger           *slog.Logger
	Now              func() time.Time
}

// Hub is the fan-out actor of one call.
type Hub struct {
	cfg     Config
	log     *slog.Logger
	self    *actor.PID
	audio   *track
	video   *track
	src     [2]*rtp.Source // audio, video
	sinks   map[string]*Sink
	lastKey time.Time
	// firstSrc is when the first line described itself; describing waits for the other line
	// until linesGrace after it (askers kept in pending), as a call's two lines are configured
	// a moment apart and a viewer who asked in between would get one line for good.
	firstSrc time.Time
	pending  []*actor.PID
}

// linesGrace is how long after a call's first line a Describe waits for its second.
const linesGrace = 1500 * time.Millisecond

// describeNow answers the Describes that waited for the second line.
type describeNow struct{}

// NewProps returns the props of a hub.
func NewProps(cfg Config) *actor.Props {
	if cfg.MaxViewers <= 0 {
		cfg.MaxViewers = DefaultMaxViewers
	}
	if cfg.KeyframeInterval <= 0 {
		cfg.KeyframeInterval = DefaultKeyframeInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return actor.PropsFromProducer(func() actor.Actor { return &Hub{cfg: cfg} })
}

// Receive is the hub's mailbox loop.
func (h *Hub) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		h.handleStarted(ctx)
	case *actor.Stopping:
		h.handleStopping()
	case *actor.Restarting:
		h.handleStopping()
	case *rtp.Source:
		h.handleSource(ctx, m)
	case *frame.VideoFrame:
		h.fanOut(ctx, h.video.h264Frame(m))
	case *frame.EncodedVideo:
		h.fanOut(ctx, h.video.vp8Frame(m))
	case *frame.RawAudio:
		h.fanOut(ctx, h.audio.audio(m))
	case *Describe:
		h.handleDescribe(ctx)
	case *describeNow:
		h.answerPending(ctx)
	case *AddViewer:
		h.handleAddViewer(ctx, m)
	case *RemoveViewer:
		h.handleRemoveViewer(m)
	case *KeyframeWanted:
		h.requestKeyframe(ctx)
	}
}

func (h *Hub) handleStarted(ctx actor.Context) {
	h.self = ctx.Self()
	h.log = h.cfg.Logger.With("actor", "viewers", "callId", h.cfg.CallID, "stream", h.cfg.Stream)
	var seed [12]byte
	_, _ = rand.Read(seed[:])
	h.audio = newTrack(false, binary.BigEndian.Uint32(seed[0:]), binary.BigEndian.Uint16(seed[8:]))
	h.video = newTrack(true, binary.BigEndian.Uint32(seed[4:]), binary.BigEndian.Uint16(seed[10:]))
	h.sinks = map[string]*Sink{}
	if h.cfg.Directory != nil {
		h.cfg.Directory.add(h.cfg.Stream, h.self)
	}
}

// handleStopping ends every viewer: the call is over (or the hub restarts, and its viewers
// reconnect).
func (h *Hub) handleStopping() {
	if h.cfg.Directory != nil && h.self != nil {
		h.cfg.Directory.remove(h.cfg.Stream, h.self)
	}
	for id, s := range h.sinks {
		s.close()
		delete(h.sinks, id)
	}
}

func (h *Hub) handleDescribe(ctx actor.Context) {
	if h.src[0] != nil && h.src[1] != nil || h.firstSrc.IsZero() {
		ctx.Respond(h.describe())
		return
	}
	wait := linesGrace - h.cfg.Now().Sub(h.firstSrc)
	if wait <= 0 {
		ctx.Respond(h.describe())
		return
	}
	h.pending = append(h.pending, ctx.Sender())
	if len(h.pending) == 1 {
		root, self := ctx.ActorSystem().Root, h.self
		time.AfterFunc(wait, func() { root.Send(self, &describeNow{}) })
	}
}

func (h *Hub) answerPending(ctx actor.Context) {
	if len(h.pending) == 0 {
		return
	}
	d := h.describe()
	for _, pid := range h.pending {
		ctx.Send(pid, d)
	}
	h.pending = nil
}

func (h *Hub) handleSource(ctx actor.Context, m *rtp.Source) {
	defer func() {
		if h.src[0] != nil && h.src[1] != nil {
			h.answerPending(ctx)
		}
	}()
	if h.firstSrc.IsZero() && m.Codec != "" {
		h.firstSrc = h.cfg.Now()
	}
	i, t := 0, h.audio
	if m.Video {
		i, t = 1, h.video
	}
	src := *m
	if src.Codec == "" {
		h.src[i] = nil
		return
	}
	h.src[i] = &src
	t.configure(&src)
}

func (h *Hub) describe() *Description {
	d := &Description{Stream: h.cfg.Stream, Viewers: len(h.sinks)}
	if s := h.src[0]; s != nil && (passable(s.Codec)) {
		c := *s
		d.Audio = &c
	}
	if s := h.src[1]; s != nil && (s.Codec == "H264" || s.Codec == "VP8") {
		c := *s
		d.Video = &c
	}
	return d
}

func (h *Hub) handleAddViewer(ctx actor.Context, m *AddViewer) {
	if len(h.sinks) >= h.cfg.MaxViewers {
		ctx.Respond(&AddViewerResponse{Err: playback.ErrTooManyViewers})
		return
	}
	m.Sink.startOnKey()
	h.sinks[m.Sink.ID] = m.Sink
	h.log.Info("viewer joined", "session", m.Sink.ID, "viewers", len(h.sinks))
	ctx.Respond(&AddViewerResponse{})
	h.requestKeyframe(ctx)
}

func (h *Hub) handleRemoveViewer(m *RemoveViewer) {
	s := h.sinks[m.ID]
	if s == nil {
		return
	}
	s.close()
	delete(h.sinks, m.ID)
	h.log.Info("viewer left", "session", m.ID, "viewers", len(h.sinks), "dropped", s.Dropped.Load())
}

// fanOut queues pkts to every viewer; one whose video had no room waits for the next key frame,
// which the hub asks for.
func (h *Hub) fanOut(ctx actor.Context, pkts []Packet) {
	if len(pkts) == 0 || len(h.sinks) == 0 {
		return
	}
	lost := false
	for _, s := range h.sinks {
		for _, p := range pkts {
			if s.offer(p) {
				lost = true
			}
		}
	}
	if lost {
		h.requestKeyframe(ctx)
	}
}

// requestKeyframe asks the video line for a key frame from the device, rate-limited.
func (h *Hub) requestKeyframe(ctx actor.Context) {
	src := h.src[1]
	if src == nil || src.Line == nil {
		return
	}
	now := h.cfg.Now()
	if !h.lastKey.IsZero() && now.Sub(h.lastKey) < h.cfg.KeyframeInterval {
		return
	}
	h.lastKey = now
	ctx.Send(src.Line, &frame.DeviceKeyframe{})
}
