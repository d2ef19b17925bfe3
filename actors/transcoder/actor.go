// Package transcoder is the call's transcoding actor: one per media line whose codec RTMP cannot
// carry (VP8 video into H.264, Opus or Speex audio into AAC), a child of the call actor. The RTP
// actor depacketises and places frames on the call's timeline; the transcoder decodes and
// encodes them and sends the result to the call's publishers, like an RTP actor of a codec that
// needs nothing.
//
// It owns libavcodec state only, so a fault in it cannot touch the sockets: the call restarts it
// (its supervision), and the stream resumes with the next key frame, which a restarted video
// transcoder asks the device for at once.
package transcoder

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/media/aac"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/transcode"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// Config builds a transcoder for one line.
type Config struct {
	CallID string
	// Codec is the device's codec, as rtp.Configure names it: "VP8", "OPUS" or "SPEEX".
	Codec     string
	ClockRate int
	Channels  int
	// AACRate is the AAC output rate; 0 keeps the decoder's (48 kHz for Opus).
	AACRate int
	// Video configures the H.264 encoder.
	Video transcode.VideoConfig
	// Source is the line's RTP actor, asked for a key frame from the device when the decoder
	// needs one.
	Source *actor.PID
	Logger *slog.Logger
}

// IsVideo reports whether the codec is a video one.
func (c Config) IsVideo() bool { return c.Codec == sdp.NameVP8 }

// AudioConfig is the AAC the transcoder of an audio codec of clockRate produces (see
// Config.AACRate), for the publishers' tracks.
func AudioConfig(clockRate, aacRate int) *mpeg4audio.AudioSpecificConfig {
	if aacRate == 0 {
		aacRate = clockRate
	}
	return &mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: aacRate, ChannelCount: 1}
}

// Needed reports whether a device codec needs a transcoder to reach RTMP as H.264 + AAC.
func Needed(codec string) bool {
	return codec == sdp.NameVP8 || codec == sdp.NameOpus || codec == sdp.NameSpeex
}

// kept survives a restart: where frames go.
type kept struct {
	subscribers []*actor.PID
}

// Actor is the transcoder.
type Actor struct {
	cfg  Config
	kept *kept
	log  *slog.Logger

	video    *transcode.VideoTranscoder
	sps, pps []byte
	width    int
	height   int

	decoder *transcode.AudioDecoder
	pacer   *frame.AACPacer
	frames  uint64
	// end is where the last decoded audio ends on the timeline: a lost packet's hole starts here.
	end       time.Duration
	hasEnd    bool
	concealed int // samples made up for lost packets
}

// NewProps returns the props of a transcoder.
func NewProps(cfg Config) *actor.Props {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	k := &kept{}
	return actor.PropsFromProducer(func() actor.Actor { return &Actor{cfg: cfg, kept: k} })
}

// Receive is the actor's mailbox loop.
func (a *Actor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.handleStarted(ctx)
	case *actor.Restarting, *actor.Stopping:
		a.close()
	case *actor.Stopped:
		a.log.Info("actor stopped", "frames", a.frames, "concealedMs", a.concealedMs())
	case *rtp.Subscribe:
		a.kept.subscribers = m.Subscribers
	case *frame.EncodedVideo:
		a.handleVideo(ctx, m)
	case *frame.EncodedAudio:
		a.handleAudio(ctx, m)
	case *frame.KeyframeNeeded:
		if a.video != nil {
			a.video.ForceKey()
		}
	case *ForcePanic:
		panic(fmt.Sprintf("transcoder %s: forced panic for fault-injection test", a.cfg.Codec))
	}
}

func (a *Actor) handleStarted(ctx actor.Context) {
	a.log = a.cfg.Logger.With("actor", "transcoder", "codec", a.cfg.Codec, "callId", a.cfg.CallID)
	var err error
	if a.cfg.IsVideo() {
		a.video, err = transcode.NewVideoTranscoder(a.cfg.Video)
	} else {
		err = a.openAudio()
	}
	if err != nil {
		// The same configuration would fail again: stop rather than restart in a loop.
		a.log.Error("transcoder cannot start", "err", err)
		ctx.Stop(ctx.Self())
		return
	}
	a.log.Info("actor started")
	if a.cfg.IsVideo() && a.cfg.Source != nil {
		// A (re)started decoder has no reference picture: resume on the device's next key frame.
		ctx.Send(a.cfg.Source, &frame.DeviceKeyframe{})
	}
}

func (a *Actor) openAudio() error {
	codec := transcode.Opus
	if a.cfg.Codec == sdp.NameSpeex {
		codec = transcode.Speex
	}
	dec, err := transcode.NewAudioDecoder(transcode.AudioConfig{Codec: codec, ClockRate: a.cfg.ClockRate, Channels: a.cfg.Channels})
	if err != nil {
		return err
	}
	enc, err := aac.NewEncoder(aac.Config{InputRate: dec.SampleRate(), OutputRate: a.cfg.AACRate, Channels: 1})
	if err != nil {
		dec.Close()
		return err
	}
	a.decoder, a.pacer = dec, frame.NewAACPacer(enc, dec.SampleRate())
	return nil
}

func (a *Actor) close() {
	if a.video != nil {
		a.video.Close()
		a.video = nil
	}
	if a.decoder != nil {
		a.decoder.Close()
		a.decoder = nil
	}
	if a.pacer != nil {
		a.pacer.Close()
		a.pacer = nil
	}
}

func (a *Actor) publish(ctx actor.Context, msg any) {
	a.frames++
	for _, pid := range a.kept.subscribers {
		ctx.Send(pid, msg)
	}
}

// concealedMs is how much lost audio the decoder made up, for the stop log (the decoder's rate
// is the RTP clock rate).
func (a *Actor) concealedMs() int64 {
	return int64(a.concealed) * 1000 / int64(max(a.cfg.ClockRate, 1))
}
