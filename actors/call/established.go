package call

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// handleAnswered wires the media the answer negotiated: each RTP actor learns its payload type
// and where to send RTCP, the publishers learn the tracks, and the RTP actors learn where frames go.
func (a *Actor) handleAnswered(ctx actor.Context, m *answered) {
	a.sess = m.sess
	ans, err := sdp.ParseAnswer(m.sdp)
	if err != nil {
		a.log.Warn("bad SDP answer", "err", err)
		a.hangup(ctx, callapi.StatusFailed, fmt.Sprintf("%v: %v", ErrBadAnswer, err))
		return
	}
	tracks := a.configureMedia(ctx, ans, m)
	if !tracks.Video && tracks.Audio == frame.NoAudio {
		a.hangup(ctx, callapi.StatusFailed, fmt.Sprintf("%v: no audio or video codec we can receive", ErrBadAnswer))
		return
	}
	a.tracks = tracks
	a.negotiateDTMF(ans.Audio)
	if a.publisher != nil {
		ctx.Send(a.publisher, tracks)
	}
	for _, pid := range a.pushes {
		ctx.Send(pid, tracks)
	}
	if a.hls != nil {
		ctx.Send(a.hls, tracks)
	}
	a.resubscribe(ctx)
	a.call.Status = callapi.StatusEstablished
	a.call.SIPStatus = callapi.Int(200)
	a.behavior.Become(a.established)
	a.log.Info("call established", "video", tracks.Video, "audio", tracks.AAC != nil)
	a.publish(ctx)
	a.afterAnswer(ctx, ans, m.at)
}

// mediaConfig picks the answer's codec for one media line, if the callee will send it.
func mediaConfig(media *sdp.Media, zero time.Time, tx *transcoding, names ...string) (*rtp.Configure, bool) {
	if media == nil || !media.ReceivesFromPeer() {
		return nil, false
	}
	codec, ok := media.First(names...)
	if !ok {
		return nil, false
	}
	return configFor(media, codec, zero, tx), true
}

// configFor is what the RTP actor of a line must know to receive codec on the call's timeline
// from zero, with the call's lip sync and transcoders tx.
func configFor(media *sdp.Media, codec sdp.Codec, zero time.Time, tx *transcoding) *rtp.Configure {
	cfg := &rtp.Configure{
		Codec:       strings.ToUpper(codec.Name),
		PayloadType: codec.PayloadType,
		ClockRate:   codec.ClockRate,
		Channels:    codec.Channels,
		Zero:        zero,
		FIR:         hasFeedback(media, codec.PayloadType, "ccm fir"),
		NACK:        hasFeedback(media, codec.PayloadType, "nack"),
		Sync:        tx.sync,
		Transcoder:  tx.pidFor(strings.ToUpper(codec.Name)),
	}
	if ip := net.ParseIP(media.IP); ip != nil {
		cfg.RemoteRTCP = &net.UDPAddr{IP: ip, Port: media.RTCPPort}
	}
	if cfg.Codec == sdp.NameH264 {
		sps, pps, err := codec.SpropParameterSets()
		if err == nil {
			cfg.SPS, cfg.PPS = sps, pps
		}
	}
	return cfg
}

// aacConfig is the configuration of the AAC the audio actor will produce: AAC-LC, mono, at the
// configured rate or the G.711 rate. Publishers need it before the first audio frame.
func aacConfig(outRate, inRate int) *mpeg4audio.AudioSpecificConfig {
	if outRate == 0 {
		outRate = inRate
	}
	return &mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: outRate, ChannelCount: 1}
}

// established: media flowing; the callee may hang up, REST may terminate.
func (a *Actor) established(ctx actor.Context) {
	if a.common(ctx) {
		return
	}
	switch m := ctx.Message().(type) {
	case *remoteHungUp:
		a.finish(ctx, callapi.StatusFinish, 0, "callee hung up (BYE received)")
	case *Hangup:
		a.byRequest = true
		a.log.Info("hangup requested", "reason", m.Reason)
		a.behavior.Become(a.terminating)
		a.sendBye(ctx)
	}
}

// hangup ends an established dialog on sipcast's own initiative, with a final status.
func (a *Actor) hangup(ctx actor.Context, status, reason string) {
	if a.sess == nil {
		a.finish(ctx, status, 0, reason)
		return
	}
	a.call.Status, a.call.Reason = status, callapi.Str(reason)
	a.behavior.Become(a.closing)
	a.sendBye(ctx)
}

// closing: a BYE of our own is under way after a failure; the status is already final.
func (a *Actor) closing(ctx actor.Context) {
	if a.common(ctx) {
		return
	}
	if _, ok := ctx.Message().(*byeDone); ok {
		a.finish(ctx, a.call.Status, 0, *a.call.Reason)
	}
}

// NewCallObject is the call object of a call that has not sent anything yet.
func NewCallObject(s callapi.Startup, nodeID string) callapi.Call {
	c := callapi.Call{
		Custom:        map[string]any{},
		NodeID:        callapi.Str(nodeID),
		AppKey:        callapi.Str(s.AppKey),
		CallID:        s.CallID,
		Status:        callapi.StatusPending,
		StreamName:    callapi.Str(s.ToStream),
		Caller:        callapi.Str(s.SIPLogin),
		Callee:        callapi.Str(s.Callee),
		HasAudio:      s.HasAudio,
		HasVideo:      s.HasVideo,
		VisibleName:   callapi.Str(s.VisibleName),
		MediaProvider: callapi.Str("sipcast"),
	}
	if c.VisibleName == nil {
		c.VisibleName = c.Caller
	}
	if s.RTMP != nil {
		c.RTMPURL = callapi.Str(s.RTMPURL)
		c.RTMPStream = callapi.Str(s.RTMP.Stream)
		c.RTMPStreamStatus = callapi.Str(callapi.RTMPStreamWait)
	}
	return c
}

func randomUint32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}

// recoverGoroutine, deferred in a goroutine the actor owns, turns a panic into the message the
// goroutine would have ended with (report builds it, with the panic as its error; nil: none),
// so the actor learns the transaction failed instead of waiting for it forever: protoactor
// supervises panics inside Receive only.
func (a *Actor) recoverGoroutine(name string, report func(err error) any) {
	r := recover()
	if r == nil {
		return
	}
	metrics.GoroutinePanics.With("call_" + name).Inc()
	a.log.Error("goroutine panicked", "goroutine", name, "panic", r, "stack", string(debug.Stack()))
	if report != nil {
		a.system.Root.Send(a.self, report(fmt.Errorf("%w: %s: %v", ErrPanicked, name, r)))
	}
}

// rtmpAudioOut is the RTMP audio codec a call wants: the startup's rtmpAudioCodec, else the
// server's default def, else AAC.
func rtmpAudioOut(s callapi.Startup, def frame.AudioCodec) frame.AudioCodec {
	if c, ok := frame.ParseAudioCodec(s.RTMPAudioCodec); ok && s.RTMPAudioCodec != "" {
		return c
	}
	if def != frame.NoAudio {
		return def
	}
	return frame.AAC
}
