package call

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/actors/transcoder"
	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// transcoding is the call's side of codecs RTMP cannot carry, and of lip sync.
type transcoding struct {
	// sync is shared by both RTP actors: the device's sender reports place both lines on its
	// clock (lip sync). Made at the answer; kept for the call's life (re-INVITEs too).
	sync *clock.SyncGroup
	// audio and video are the transcoder children, nil when the line's codec passes through.
	audio, video *actor.PID
	// audioCodec and videoCodec are what they transcode.
	audioCodec, videoCodec string
	audioRate              int // the clock rate of audioCodec (Speex: 8 or 16 kHz)
	// spawned counts the transcoders started: a re-INVITE's replaces one whose name may not
	// be free yet (codecswitch.go).
	spawned int
}

// pidFor is the transcoder of codec, if the call runs one for it.
func (t *transcoding) pidFor(codec string) *actor.PID {
	switch codec {
	case t.audioCodec:
		return t.audio
	case t.videoCodec:
		return t.video
	}
	return nil
}

// offerCodecs are the formats the offer lists: the configured lists (nil keeps the spec's
// shape), with the passthrough codec of out, the RTMP side's audio, moved first so a device
// that has it picks it.
func offerCodecs(audio, video []sdp.OfferCodec, out frame.AudioCodec) ([]sdp.OfferCodec, []sdp.OfferCodec) {
	if len(audio) == 0 {
		return nil, video
	}
	switch out {
	case frame.Speex:
		audio = sdp.MoveFirst(audio, sdp.NameSpeex, 16000) // FLV's Speex is wideband only
	case frame.PCMU:
		audio = sdp.MoveFirst(audio, sdp.NamePCMU, 0)
	case frame.PCMA:
		audio = sdp.MoveFirst(audio, sdp.NamePCMA, 0)
	}
	return audio, video
}

// configureMedia picks each line's codec from the answer (the callee's first that sipcast can
// receive, by name: dynamic payload types vary), starts a transcoder where the codec needs one,
// configures the RTP actors, and returns the tracks the publishers will carry.
func (a *Actor) configureMedia(ctx actor.Context, ans *sdp.Answer, m *answered) *frame.Tracks {
	tracks := &frame.Tracks{}
	if a.tx.sync == nil {
		a.tx.sync = &clock.SyncGroup{}
	}
	if codec, ok := chosen(ans.Audio, false); ok {
		name := strings.ToUpper(codec.Name)
		out := rtmpAudioOut(a.cfg.Spec, a.cfg.RTMPAudio)
		if name == sdp.NameSpeex && codec.ClockRate != 16000 {
			out = frame.AAC // FLV carries 16 kHz Speex only
		}
		tracks.Audio = rtp.EffectiveAudio(name, out)
		if tracks.Audio == frame.AAC && transcoder.Needed(name) {
			a.tx.audio, a.tx.audioCodec = a.spawnTranscoder(ctx, rtp.Audio, codec, a.cfg.AACRate), name
			a.tx.audioRate = int(codec.ClockRate)
			tracks.AAC = transcoder.AudioConfig(int(codec.ClockRate), a.cfg.AACRate)
		} else if tracks.Audio == frame.AAC {
			tracks.AAC = aacConfig(a.cfg.AACRate, int(codec.ClockRate))
		}
		cfg := configFor(ans.Audio, codec, m.at, &a.tx)
		cfg.Output = out
		ctx.Send(a.audio, cfg)
	}
	if codec, ok := chosen(ans.Video, true); ok {
		name := strings.ToUpper(codec.Name)
		if transcoder.Needed(name) {
			a.tx.video, a.tx.videoCodec = a.spawnTranscoder(ctx, rtp.Video, codec, 0), name
		}
		cfg := configFor(ans.Video, codec, m.at, &a.tx)
		tracks.Video = true
		tracks.SPS, tracks.PPS = cfg.SPS, cfg.PPS
		ctx.Send(a.video, cfg)
	}
	return tracks
}

// chosen is the codec the callee will send on a line, if it sends and sipcast can receive it.
func chosen(media *sdp.Media, video bool) (sdp.Codec, bool) {
	if media == nil || !media.ReceivesFromPeer() {
		return sdp.Codec{}, false
	}
	return media.Choose(video)
}

// spawnTranscoder starts the transcoder child of one line. It is supervised like the RTP and
// RTMP children: restarted when it crashes. aacRate is its AAC output rate (audio; 0: the
// decoder's).
func (a *Actor) spawnTranscoder(ctx actor.Context, kind rtp.Kind, codec sdp.Codec, aacRate int) *actor.PID {
	source := a.audio
	if kind == rtp.Video {
		source = a.video
	}
	props := transcoder.NewProps(transcoder.Config{
		CallID: a.cfg.Spec.CallID, Codec: strings.ToUpper(codec.Name), ClockRate: int(codec.ClockRate),
		Channels: codec.Channels, AACRate: aacRate, Video: a.cfg.Video, Source: source, Logger: a.cfg.Logger,
	})
	a.tx.spawned++
	name := "transcode-" + kind.String()
	if a.tx.spawned > 1 {
		name += "-" + strconv.Itoa(a.tx.spawned)
	}
	pid, err := ctx.SpawnNamed(props, name)
	if err != nil {
		panic(fmt.Errorf("spawn transcoder %s: %w", kind, err))
	}
	return pid
}

// hasFeedback reports whether the answer accepted an RTCP feedback type (RFC 4585 a=rtcp-fb) for
// payload type pt or for all ("*").
func hasFeedback(media *sdp.Media, pt uint8, fb string) bool {
	for _, v := range media.RTCPFb {
		target, typ, _ := strings.Cut(v, " ")
		if strings.EqualFold(strings.Join(strings.Fields(typ), " "), fb) &&
			(target == "*" || target == fmt.Sprint(pt)) {
			return true
		}
	}
	return false
}

// firstPID is the first non-nil of pids.
func firstPID(pids ...*actor.PID) *actor.PID {
	for _, p := range pids {
		if p != nil {
			return p
		}
	}
	return nil
}
