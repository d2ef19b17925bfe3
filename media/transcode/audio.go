package transcode

import (
	"fmt"
	"runtime"
)

// AudioCodec names a decodable RTP audio codec.
type AudioCodec string

const (
	Opus  AudioCodec = "opus"
	Speex AudioCodec = "speex"
)

// maxPacketSamples bounds the PCM of one packet: 120 ms of Opus at 48 kHz,
// or 16 Speex frames at 16 kHz, whichever is more.
const maxPacketSamples = 5760

// AudioConfig describes the stream to decode, as the SDP answer has it.
type AudioConfig struct {
	Codec AudioCodec
	// ClockRate is the RTP clock: 48000 for Opus, 8000 or 16000 for Speex.
	ClockRate int
	// Channels the stream announces (opus/48000/2); PCM comes out mono.
	Channels int
}

// AudioDecoder decodes one stream's packets to mono 16-bit PCM at
// SampleRate. Create it with NewAudioDecoder.
type AudioDecoder struct {
	lib     *adec
	rate    int
	pcm     []int16
	cleanup runtime.Cleanup
}

// NewAudioDecoder opens a decoder. Errors wrap ErrConfig or ErrInit.
func NewAudioDecoder(cfg AudioConfig) (*AudioDecoder, error) {
	name := ""
	switch {
	case cfg.Codec == Opus && cfg.ClockRate == 48000:
		// libavcodec's own decoder: maintained with FFmpeg, no extra library.
		name = "opus"
	case cfg.Codec == Speex && (cfg.ClockRate == 8000 || cfg.ClockRate == 16000):
		// libspeex, not FFmpeg's native decoder, which wants the Speex
		// header's mode and frame count that RTP never carries.
		name = "libspeex"
	default:
		return nil, fmt.Errorf("%w: %s at %d Hz", ErrConfig, cfg.Codec, cfg.ClockRate)
	}
	if cfg.Channels <= 0 {
		cfg.Channels = 1
	}
	if cfg.Channels > 2 {
		return nil, fmt.Errorf("%w: %d channels", ErrConfig, cfg.Channels)
	}
	lib, err := openAdec(name, cfg.ClockRate, cfg.Channels)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInit, name, err)
	}
	d := &AudioDecoder{lib: lib, rate: cfg.ClockRate, pcm: make([]int16, 0, 2*maxPacketSamples)}
	d.cleanup = runtime.AddCleanup(d, (*adec).close, lib)
	return d, nil
}

// SampleRate is the rate of the PCM Decode returns.
func (d *AudioDecoder) SampleRate() int { return d.rate }

// Decode decodes one packet and returns its PCM. Give Speex one frame per
// call (rtpspeex.Split): libavcodec's wrapper holds a multi-frame packet's
// later frames back until the next packet. The slice is owned by the
// decoder and overwritten by the next call. A packet the decoder rejects
// returns ErrDecode; the stream goes on with the next one.
func (d *AudioDecoder) Decode(pkt []byte) ([]int16, error) {
	if d.lib == nil {
		return nil, ErrClosed
	}
	defer runtime.KeepAlive(d)
	d.pcm = d.pcm[:0]
	if err := d.lib.send(pkt); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	for {
		if len(d.pcm) == cap(d.pcm) {
			return d.pcm, fmt.Errorf("%w: more than %d samples in one packet", ErrDecode, cap(d.pcm))
		}
		n, ok, err := d.lib.receive(d.pcm[len(d.pcm):cap(d.pcm)])
		if err != nil {
			return d.pcm, fmt.Errorf("%w: %w", ErrDecode, err)
		}
		if !ok {
			return d.pcm, nil
		}
		d.pcm = d.pcm[:len(d.pcm)+n]
	}
}

// Close frees the decoder; it is idempotent.
func (d *AudioDecoder) Close() {
	if d.lib == nil {
		return
	}
	d.cleanup.Stop()
	d.lib.close()
	d.lib = nil
}
