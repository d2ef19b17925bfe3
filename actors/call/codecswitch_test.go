package call

import (
	"slices"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// The codecs a re-offer may move a line to, for each RTMP track the call publishes.
func TestReofferNames(t *testing.T) {
	aac := &frame.Tracks{Audio: frame.AAC, AAC: &mpeg4audio.AudioSpecificConfig{SampleRate: 8000}, Video: true}
	for _, tc := range []struct {
		name         string
		tracks       *frame.Tracks
		audioTx      string
		videoTx      string
		audio, video []string
	}{
		{"AAC track with video: every switchable codec", aac, "", "", switchableAudio, switchableVideo},
		{"AAC track from Opus: still every one", aac, "OPUS", "VP8", switchableAudio, switchableVideo},
		{"G.711 passed through: G.711 only", &frame.Tracks{Audio: frame.PCMU}, "", "", []string{"PCMU", "PCMA"}, []string{"H264"}},
		{"Speex passed through: Speex only", &frame.Tracks{Audio: frame.Speex}, "", "", []string{"SPEEX"}, []string{"H264"}},
		{"AAC without its config yet: the transcoded codec", &frame.Tracks{Audio: frame.AAC}, "OPUS", "VP8", []string{"OPUS"}, []string{"VP8"}},
		{"before the answer", nil, "", "", []string{"PCMU", "PCMA"}, []string{"H264"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := audioNames(tc.tracks, tc.audioTx); !slices.Equal(got, tc.audio) {
				t.Fatalf("audio %v, want %v", got, tc.audio)
			}
			if got := videoNames(tc.tracks, tc.videoTx); !slices.Equal(got, tc.video) {
				t.Fatalf("video %v, want %v", got, tc.video)
			}
		})
	}
}

// The RTMP audio a call wants, and the offer that lets a device pick its passthrough codec.
func TestOfferForRTMPAudio(t *testing.T) {
	codecs := []sdp.OfferCodec{{PT: 0, Name: "PCMU", ClockRate: 8000}, {PT: 8, Name: "PCMA", ClockRate: 8000},
		{PT: 97, Name: "speex", ClockRate: 8000}, {PT: 98, Name: "speex", ClockRate: 16000}}
	for _, tc := range []struct {
		name    string
		startup string
		def     frame.AudioCodec
		out     frame.AudioCodec
		first   uint8 // payload type offered first
	}{
		{"nothing asked: AAC, order kept", "", frame.NoAudio, frame.AAC, 0},
		{"server default PCMA", "", frame.PCMA, frame.PCMA, 8},
		{"startup's pcma wins over the server's speex", "pcma", frame.Speex, frame.PCMA, 8},
		{"speex: the wideband one (FLV's only)", "speex", frame.NoAudio, frame.Speex, 98},
		{"unknown name: the server's", "mp3", frame.PCMU, frame.PCMU, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := rtmpAudioOut(callapi.Startup{RTMPAudioCodec: tc.startup}, tc.def)
			if out != tc.out {
				t.Fatalf("out %v, want %v", out, tc.out)
			}
			audio, _ := offerCodecs(codecs, nil, out)
			if len(audio) != len(codecs) || audio[0].PT != tc.first {
				t.Fatalf("offer %v", audio)
			}
		})
	}
	if audio, _ := offerCodecs(nil, nil, frame.PCMA); audio != nil {
		t.Fatal("no configured list must keep the spec's offer")
	}
}
