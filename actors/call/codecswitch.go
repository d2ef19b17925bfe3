package call

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/actors/transcoder"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// A re-INVITE or UPDATE of the callee may move a line to another codec (PCMU → Opus, VP8 →
// H.264). The RTMP stream must not notice more than it can take: the same FLV timeline (the RTP
// actors keep the call's zero, the publisher's timestamps never go back), the same AAC track
// (every audio codec is encoded to the rate the track was announced with), and on video a new
// sequence header, which the publisher writes by itself when a key frame brings other parameter
// sets. What changes is the line's pipe: the transcoder child is started, stopped or replaced
// as the new codec needs, and the RTP actor is reconfigured.

// switchableAudio are the audio codecs a line whose RTMP track is AAC may move between.
var switchableAudio = []string{sdp.NamePCMU, sdp.NamePCMA, sdp.NameOpus, sdp.NameSpeex}

// switchableVideo are the video codecs a line may move between: H.264 passes through, VP8 is
// transcoded into H.264.
var switchableVideo = []string{sdp.NameH264, sdp.NameVP8}

// aacTrack reports whether the publishers carry the call's audio as AAC; a passed-through
// G.711 or Speex track keeps its device codec instead.
func aacTrack(t *frame.Tracks) bool {
	return t != nil && t.Audio == frame.AAC && t.AAC != nil
}

// audioNames are the audio codecs a re-offer may put the line on without changing the RTMP
// audio track: tracks are the call's (nil before the answer), transcoded the codec its audio
// transcoder runs ("" for none).
func audioNames(tracks *frame.Tracks, transcoded string) []string {
	if tracks != nil && tracks.Audio == frame.Speex {
		return []string{sdp.NameSpeex}
	}
	if aacTrack(tracks) {
		// Every codec reaches the AAC track at its rate: a change follows.
		return switchableAudio
	}
	if transcoded != "" {
		// A transcoded line keeps its codec: the AAC track's rate is that codec's.
		return []string{transcoded}
	}
	return []string{sdp.NamePCMU, sdp.NamePCMA}
}

// videoNames are the video codecs a re-offer may put the line on: H.264 or VP8 once the RTMP
// stream has video (either reaches it as H.264); else the transcoded one in use, or H.264.
func videoNames(tracks *frame.Tracks, transcoded string) []string {
	if tracks != nil && tracks.Video {
		return switchableVideo
	}
	if transcoded != "" {
		return []string{transcoded}
	}
	return []string{sdp.NameH264}
}

// followAudio readies the audio pipe for cfg, the codec a new exchange put on the line: the
// transcoder it needs (the one running when the codec is the same), and the AAC rate of the
// call's track. It runs before cfg goes to the RTP actor.
func (a *Actor) followAudio(ctx actor.Context, cfg *rtp.Configure, codec sdp.Codec) {
	if !aacTrack(a.tracks) {
		return // audioNames kept the line on its codec
	}
	cfg.Output = frame.AAC
	cfg.AACRate = a.tracks.AAC.SampleRate
	if cfg.Codec == a.tx.audioCodec && a.tx.audio != nil && int(codec.ClockRate) == a.tx.audioRate {
		cfg.Transcoder = a.tx.audio // a new payload type of the same codec
		return
	}
	a.stopTranscoder(ctx, rtp.Audio)
	if transcoder.Needed(cfg.Codec) {
		a.tx.audio = a.spawnTranscoder(ctx, rtp.Audio, codec, cfg.AACRate)
		a.tx.audioCodec, a.tx.audioRate = cfg.Codec, int(codec.ClockRate)
		cfg.Transcoder = a.tx.audio
		a.resubscribe(ctx) // before the RTP actor's first frame reaches it
	}
}

// followVideo is followAudio for the video line: VP8 gets a transcoder (which asks the device
// for a key frame as it starts), H.264 goes without one (its pipe waits for the device's next
// IDR, which the reconfigured RTP actor asks for at once).
func (a *Actor) followVideo(ctx actor.Context, cfg *rtp.Configure, codec sdp.Codec) {
	if cfg.Codec == a.tx.videoCodec && a.tx.video != nil {
		cfg.Transcoder = a.tx.video
		return
	}
	a.stopTranscoder(ctx, rtp.Video)
	if transcoder.Needed(cfg.Codec) {
		a.tx.video = a.spawnTranscoder(ctx, rtp.Video, codec, 0)
		a.tx.videoCodec = cfg.Codec
		cfg.Transcoder = a.tx.video
		a.resubscribe(ctx)
	}
}

// stopTranscoder stops the transcoder of a line, if it has one. Its Terminated is not a
// failure: the PID is forgotten first, so handleChildTerminated no longer knows it.
func (a *Actor) stopTranscoder(ctx actor.Context, kind rtp.Kind) {
	pid := &a.tx.audio
	codec := &a.tx.audioCodec
	if kind == rtp.Video {
		pid, codec = &a.tx.video, &a.tx.videoCodec
	}
	if *pid == nil {
		return
	}
	a.log.Info("transcoder stopped: the codec changed", "kind", kind.String(), "codec", *codec)
	ctx.Stop(*pid)
	*pid, *codec = nil, ""
	if kind == rtp.Audio {
		a.tx.audioRate = 0
	}
}
