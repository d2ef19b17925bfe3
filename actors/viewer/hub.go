// Package viewer fans a call's media out to the people watching it. Each call that has a
// toStream gets a hub actor, a child of the call actor, which the call's RTP actors tap
// (rtp.Tap): it packetises the device's media once for browsers — H.264 in packetization mode
// 1, VP8, G.711 and Opus as they came, Speex re-encoded as Opus — and copies every packet into
// each viewer's bounded queue (Sink). With no viewer it does nothing with the media. Viewers
// are added and removed by the WHEP front end, which finds hubs in a Directory by toStream. A
// slow viewer loses packets; the call, its RTMP output and the other viewers never wait for it.
package viewer

import (
	"crypto/rand"
	"encoding/binary"
	"log/slog"
	"sync/atomic"
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
	cfg   Config
	log   *slog.Logger
	self  *actor.PID
	audio *track
	video *track
	src   [2]*rtp.Source // audio, video
	sinks map[string]*Sink
	// incarnation counts the hub's starts (NewProps's producer): past the first, the hub was
	// restarted and asks the call for its lines again (rtp.Retap).
	incarnation int32
	// audioViewers counts the sinks that take the audio line: a Speex line is transcoded only
	// while there is one.
	audioViewers int
	// sps is the last SPS the device sent in band, for the profile Describe signals: the SDP
	// seldom has one.
	sps     []byte
	lastKey time.Time
	keyDue  bool // a held-back key frame request will be made (keyframeDue)
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

// keyframeDue repeats a key frame request that the rate limit held back.
type keyframeDue struct{}

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
	var starts atomic.Int32
	return actor.PropsFromProducer(func() actor.Actor { return &Hub{cfg: cfg, incarnation: starts.Add(1)} })
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
		h.handleH264(ctx, m)
	case *frame.EncodedVideo:
		h.handleVP8(ctx, m)
	case *frame.RawAudio:
		h.handleAudio(ctx, m)
	case *Describe:
		h.handleDescribe(ctx)
	case *describeNow:
		h.answerPending(ctx)
	case *keyframeDue:
		h.keyDue = false
		h.requestKeyframe(ctx)
	case *AddViewer:
		h.handleAddViewer(ctx, m)
	case *ViewerConnected:
		h.handleViewerConnected(ctx, m)
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
	if h.incarnation > 1 && ctx.Parent() != nil {
		h.log.Warn("viewers hub restarted: asking the call for its lines again")
		ctx.Send(ctx.Parent(), &rtp.Retap{PID: h.self})
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
	h.audioViewers = 0
	if h.audio != nil {
		h.audio.stopTranscode()
	}
}

// The media handlers return at once when nobody watches: a call's frames cost its hub nothing
// then (no packetising, no allocation). A viewer whose connection comes up asks the device for a
// key frame (handleViewerConnected) and starts there, so nothing before it is missed.

func (h *Hub) handleH264(ctx actor.Context, f *frame.VideoFrame) {
	if f.SPS != nil {
		h.sps = f.SPS
	}
	if len(h.sinks) == 0 {
		return
	}
	h.fanOut(ctx, h.video.h264Frame(f))
}

func (h *Hub) handleVP8(ctx actor.Context, f *frame.EncodedVideo) {
	if len(h.sinks) == 0 {
		return
	}
	h.fanOut(ctx, h.video.vp8Frame(f))
}

func (h *Hub) handleAudio(ctx actor.Context, a *frame.RawAudio) {
	if len(h.sinks) == 0 {
		return
	}
	h.fanOut(ctx, h.audio.audio(a))
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
	if m.Video && (h.src[1] == nil || h.src[1].Codec != m.Codec) {
		h.sps = nil // another codec's, or another call leg's
	}
	src := *m
	if src.Codec == "" {
		h.src[i] = nil
		return
	}
	h.src[i] = &src
	t.configure(&src)
	if !m.Video {
		h.syncTranscode()
	}
}

// syncTranscode opens the audio line's transcoder when a viewer takes a line that needs one,
// and closes it when the last such viewer left.
func (h *Hub) syncTranscode() {
	if h.audioViewers == 0 {
		h.audio.stopTranscode()
		return
	}
	if err := h.audio.startTranscode(); err != nil {
		h.log.Error("audio not transcoded for viewers", "codec", h.audio.codec, "err", err)
	}
}

func (h *Hub) describe() *Description {
	d := &Description{Stream: h.cfg.Stream, Viewers: len(h.sinks)}
	if s := h.src[0]; s != nil && passable(s.Codec) {
		c := *s
		d.Audio = &c
	}
	if s := h.src[0]; s != nil && transcoded(s.Codec) {
		// What the viewers get: Opus as WebRTC names it (opus/48000/2, RFC 7587), mono inside.
		d.Audio = &rtp.Source{Codec: "OPUS", ClockRate: opusClock, Channels: 2, Line: s.Line}
	}
	if s := h.src[1]; s != nil && (s.Codec == "H264" || s.Codec == "VP8") {
		c := *s
		if c.Codec == "H264" && h.sps != nil {
			c.SPS = h.sps // the stream's own profile, which the answer signals
		}
		d.Video = &c
	}
	return d
}

func (h *Hub) handleAddViewer(ctx actor.Context, m *AddViewer) {
	if len(h.sinks) >= h.cfg.MaxViewers {
		ctx.Respond(&AddViewerResponse{Err: playback.ErrTooManyViewers})
		return
	}
	h.join(m.Sink, m.Audio)
	ctx.Respond(&AddViewerResponse{})
}

// handleViewerConnected starts a viewer's stream and asks the device for the key frame it starts
// on (rate-limited: a crowd joining at once shares one).
func (h *Hub) handleViewerConnected(ctx actor.Context, m *ViewerConnected) {
	if s := h.sinks[m.ID]; s != nil {
		s.start()
		h.requestKeyframe(ctx)
	}
}

func (h *Hub) handleRemoveViewer(m *RemoveViewer) {
	h.leave(m.ID)
}

// join adds a viewer, whose stream starts when its connection is up (ViewerConnected).
func (h *Hub) join(s *Sink, audio bool) {
	s.audio = audio
	h.sinks[s.ID] = s
	if audio {
		h.audioViewers++
		h.syncTranscode()
	}
	h.log.Info("viewer joined", "session", s.ID, "viewers", len(h.sinks))
}

// leave ends a viewer's stream, if it is still here.
func (h *Hub) leave(id string) {
	s := h.sinks[id]
	if s == nil {
		return
	}
	s.close()
	delete(h.sinks, id)
	if s.audio {
		h.audioViewers--
		h.syncTranscode()
	}
	h.log.Info("viewer left", "session", id, "viewers", len(h.sinks), "dropped", s.Dropped.Load())
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

// requestKeyframe asks the video line for a key frame from the device: at most one each
// KeyframeInterval, a request within it made when it ends (one for all that came meanwhile).
func (h *Hub) requestKeyframe(ctx actor.Context) {
	src := h.src[1]
	if src == nil || src.Line == nil {
		return
	}
	now := h.cfg.Now()
	if wait := h.cfg.KeyframeInterval - now.Sub(h.lastKey); !h.lastKey.IsZero() && wait > 0 {
		// Held back, not dropped: the key frame asked for last may have gone by before this
		// viewer connected, and the device may send none of its own for many seconds.
		if !h.keyDue {
			h.keyDue = true
			root, self := ctx.ActorSystem().Root, h.self
			time.AfterFunc(wait, func() { root.Send(self, &keyframeDue{}) })
		}
		return
	}
	h.lastKey = now
	ctx.Send(src.Line, &frame.DeviceKeyframe{})
}
