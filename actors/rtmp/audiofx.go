package rtmp

import (
	"github.com/sipcast/sipcast/media/aac"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/g711"
	"github.com/sipcast/sipcast/media/wav"
)

// audioFx replaces the call's audio with silence (muted) or a sound file, in the stream's own
// codec, frame for frame, so the audio track and its timeline never pause.
type audioFx struct {
	codec   frame.AudioCodec
	enc     *aac.Encoder // AAC only
	silence []byte
	pos     int // next sample of the sound
	pcm     []int16
}

// samplesPerFrame is how many samples an output frame replaces: one AAC frame is 1024 samples;
// G.711 frames are taken at the incoming frame's length.
const aacFrameSamples = 1024

func (a *Actor) handleSetAudio(m *SetAudio) {
	if m.Muted != nil {
		a.kept.muted = *m.Muted
	}
	if m.Sound != nil {
		if len(m.Sound.Samples) == 0 {
			a.kept.sound = nil
		} else {
			a.kept.sound = m.Sound
		}
		if a.audioFx != nil {
			a.audioFx.pos = 0
		}
	}
	a.log.Info("audio changed", "muted", a.kept.muted, "sound", a.kept.sound != nil)
}

// audioData returns the bytes to send for one frame of the call's audio: the frame itself, or
// its replacement. Nil drops the frame (Speex cannot be muted without an encoder).
func (a *Actor) audioData(data []byte) []byte {
	if !a.kept.muted && a.kept.sound == nil {
		return data
	}
	t := a.kept.tracks
	if a.audioFx == nil || a.audioFx.codec != t.Audio {
		fx, err := newAudioFx(t)
		if err != nil {
			a.log.Warn("mute/sound unavailable", "err", err)
			return data
		}
		a.audioFx = fx
	}
	fx := a.audioFx
	if s := a.kept.sound; s != nil && s.Rate != trackRate(t) {
		// Sounds come at their file's rate; the stream has its own.
		a.kept.sound = &Sound{Name: s.Name, Samples: wav.Resample(s.Samples, s.Rate, trackRate(t)), Rate: trackRate(t), Loop: s.Loop}
	}
	switch {
	case a.kept.muted:
		return fx.silent(len(data))
	case t.Audio == frame.AAC:
		return fx.soundAAC(a.kept)
	case t.Audio == frame.PCMU || t.Audio == frame.PCMA:
		return fx.soundG711(a.kept, len(data))
	}
	return nil
}

// trackRate is the stream's audio sample rate.
func trackRate(t *frame.Tracks) int {
	if t.Audio == frame.AAC && t.AAC != nil {
		return t.AAC.SampleRate
	}
	return 8000
}

func newAudioFx(t *frame.Tracks) (*audioFx, error) {
	fx := &audioFx{codec: t.Audio}
	if t.Audio == frame.AAC {
		enc, err := aac.NewEncoder(aac.Config{InputRate: t.AAC.SampleRate, Channels: 1})
		if err != nil {
			return nil, err
		}
		fx.enc = enc
		// Prime the encoder with silence until it gives a frame: that frame is the silence.
		zeros := make([]int16, aacFrameSamples)
		for fx.silence == nil {
			aus, err := enc.Encode(zeros)
			if err != nil {
				return nil, err
			}
			if len(aus) > 0 {
				fx.silence = append([]byte(nil), aus[0]...)
			}
		}
	}
	return fx, nil
}

func (fx *audioFx) silent(n int) []byte {
	switch fx.codec {
	case frame.AAC:
		return fx.silence
	case frame.PCMU:
		return fill(n, 0xFF)
	case frame.PCMA:
		return fill(n, 0xD5)
	}
	return nil
}

// next takes n samples of the sound, looping or padding with silence at its end.
func (fx *audioFx) next(k *kept, n int) []int16 {
	s := k.sound
	fx.pcm = fx.pcm[:0]
	for len(fx.pcm) < n {
		if fx.pos >= len(s.Samples) {
			if !s.Loop {
				fx.pcm = append(fx.pcm, make([]int16, n-len(fx.pcm))...)
				break
			}
			fx.pos = 0
		}
		take := min(n-len(fx.pcm), len(s.Samples)-fx.pos)
		fx.pcm = append(fx.pcm, s.Samples[fx.pos:fx.pos+take]...)
		fx.pos += take
	}
	return fx.pcm
}

func (fx *audioFx) soundAAC(k *kept) []byte {
	aus, err := fx.enc.Encode(fx.next(k, aacFrameSamples))
	if err != nil || len(aus) == 0 {
		return fx.silence
	}
	return append([]byte(nil), aus[0]...)
}

func (fx *audioFx) soundG711(k *kept, n int) []byte {
	if fx.codec == frame.PCMU {
		return g711.EncodeUlaw(nil, fx.next(k, n))
	}
	return g711.EncodeAlaw(nil, fx.next(k, n))
}

func fill(n int, b byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}
