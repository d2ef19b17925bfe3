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

// MaxConceal is the longest stretch Conceal makes up: past it a codec's
// extrapolation has faded to silence anyway (libopus and libspeex both
// attenuate), and the caller fills the rest of a longer hole with silence.
const MaxConceal = maxPacketSamples

// opusStep is libopus's frame-size granularity at 48 kHz: 2.5 ms.
const opusStep = 120

// AudioConfig describes the stream to decode, as the SDP answer has it.
type AudioConfig struct {
	Codec AudioCodec
	// ClockRate is the RTP clock: 48000 for Opus, 8000 or 16000 for Speex.
	ClockRate int
	// Channels the stream announces (opus/48000/2); PCM comes out mono.
	Channels int
}

// AudioDecoder decodes one stream's packets to mono 16-bit PCM at
// SampleRate, and conceals lost ones. Create it with NewAudioDecoder.
type AudioDecoder struct {
	opus    *opusDec
	speex   *speexDec
	closed  bool
	rate    int
	pcm     []int16
	cleanup runtime.Cleanup
}

// natives is what the runtime cleanup frees when a decoder is dropped unclosed.
type natives struct {
	opus  *opusDec
	speex *speexDec
}

func (n natives) close() {
	if n.opus != nil {
		n.opus.close()
	}
	if n.speex != nil {
		n.speex.close()
	}
}

// NewAudioDecoder opens a decoder. Errors wrap ErrConfig or ErrInit.
func NewAudioDecoder(cfg AudioConfig) (*AudioDecoder, error) {
	if cfg.Channels <= 0 {
		cfg.Channels = 1
	}
	if cfg.Channels > 2 {
		return nil, fmt.Errorf("%w: %d channels", ErrConfig, cfg.Channels)
	}
	d := &AudioDecoder{rate: cfg.ClockRate, pcm: make([]int16, 0, 2*maxPacketSamples)}
	var err error
	switch {
	case cfg.Codec == Opus && cfg.ClockRate == 48000:
		d.opus, err = openOpus(cfg.ClockRate)
	case cfg.Codec == Speex && (cfg.ClockRate == 8000 || cfg.ClockRate == 16000):
		d.speex, err = openSpeex(cfg.ClockRate == 16000)
	default:
		return nil, fmt.Errorf("%w: %s at %d Hz", ErrConfig, cfg.Codec, cfg.ClockRate)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInit, cfg.Codec, err)
	}
	d.cleanup = runtime.AddCleanup(d, natives.close, natives{d.opus, d.speex})
	return d, nil
}

// SampleRate is the rate of the PCM Decode returns.
func (d *AudioDecoder) SampleRate() int { return d.rate }

// Decode decodes one packet and returns its PCM: an Opus packet, or Speex
// frames (rtpspeex.Split gives them one by one). The slice is owned by the
// decoder and overwritten by the next call. A packet the decoder rejects
// returns ErrDecode; the stream goes on with the next one.
func (d *AudioDecoder) Decode(pkt []byte) ([]int16, error) {
	if d.closed {
		return nil, ErrClosed
	}
	defer runtime.KeepAlive(d)
	buf := d.pcm[:cap(d.pcm)]
	var n int
	var err error
	if d.opus != nil {
		n, err = d.opus.decode(pkt, buf[:maxPacketSamples], false)
	} else {
		n, err = d.speex.decode(pkt, buf)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	d.pcm = buf[:n]
	return d.pcm, nil
}

// Conceal makes up about samples of audio lost just before next, the packet
// that arrived after the hole (nil when the hole does not end at it): Opus
// rebuilds the last lost packet from next's in-band FEC when next carries
// some, and extrapolates the rest (PLC); Speex extrapolates. The length is
// rounded down to what the codec makes (2.5 ms for Opus, a frame for Speex)
// and capped at MaxConceal; the caller places it where the hole begins. Call
// it before decoding next. The slice is owned by the decoder.
func (d *AudioDecoder) Conceal(samples int, next []byte) ([]int16, error) {
	if d.closed {
		return nil, ErrClosed
	}
	defer runtime.KeepAlive(d)
	samples = min(samples, MaxConceal)
	buf := d.pcm[:cap(d.pcm)]
	n := 0
	if d.speex != nil {
		for f := d.speex.frame(); n+f <= samples; n += f {
			d.speex.conceal(buf[n:])
		}
		d.pcm = buf[:n]
		return d.pcm, nil
	}
	samples -= samples % opusStep
	fec := 0
	if len(next) > 0 {
		// FEC carries the packet just before next, as long as next.
		if fec = d.opus.samples(next); fec > samples || fec%opusStep != 0 {
			fec = 0
		}
	}
	if plc := samples - fec; plc > 0 {
		got, err := d.opus.conceal(buf[:plc])
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrDecode, err)
		}
		n = got
	}
	if fec > 0 {
		got, err := d.opus.decode(next, buf[n:n+fec], true)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrDecode, err)
		}
		n += got
	}
	d.pcm = buf[:n]
	return d.pcm, nil
}

// Close frees the decoder; it is idempotent.
func (d *AudioDecoder) Close() {
	if d.closed {
		return
	}
	d.closed = true
	d.cleanup.Stop()
	natives{d.opus, d.speex}.close()
	d.opus, d.speex = nil, nil
}
