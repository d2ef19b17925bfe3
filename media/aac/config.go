package aac

import "fmt"

// Config describes one encoder. The zero value of each optional field picks
// the default written beside it.
type Config struct {
	// InputRate is the rate of the PCM given to Encode, in Hz, e.g. 8000 for
	// G.711. Required.
	InputRate int

	// OutputRate is the AAC sample rate, in Hz. 0 (default) keeps InputRate;
	// any other value is reached with libswresample, e.g. 44100 or 48000,
	// which some ingest services (YouTube) expect. Must be one of the 13
	// rates that AAC signals with an index.
	OutputRate int

	// Channels is the channel count. 0 (default) means 1; only mono is
	// supported, since a SIP call carries one audio channel.
	Channels int

	// Bitrate is the constant bitrate in bit/s. 0 (default) means
	// defaultBitrateLow for OutputRate ≤ lowRateLimit, else
	// defaultBitrateHigh.
	Bitrate int

	// Coder is libavcodec's quantiser search (its aac_coder option):
	// CoderFast (default) or CoderTwoLoop.
	Coder Coder
}

// Coder names a quantiser search of libavcodec's native AAC encoder.
type Coder string

const (
	// CoderFast is the default: at 32 kbit/s it costs a third of
	// CoderTwoLoop's CPU on G.711 speech and a fifth on a pure tone (see
	// BenchmarkEncode8k), and a narrow-band telephone signal gains nothing
	// audible from the slower search. The encoder is the largest part of
	// a call's CPU, so this is what lets one machine hold hundreds of calls.
	CoderFast Coder = "fast"
	// CoderTwoLoop is libavcodec's own default: a rate-distortion search,
	// for full-band music where its quality pays.
	CoderTwoLoop Coder = "twoloop"
)

const (
	// lowRateLimit separates narrow/wide-band rates, where 32 kbit/s is
	// already transparent for speech, from full-band ones.
	lowRateLimit = 16000

	// defaultBitrateLow is enough for AAC-LC mono speech up to 16 kHz.
	defaultBitrateLow = 32000

	// defaultBitrateHigh is a common mono rate for 44.1/48 kHz ingest.
	defaultBitrateHigh = 64000

	// maxInputRate bounds InputRate to what RTP audio plausibly uses, so
	// that a typo cannot make swresample build a huge filter.
	maxInputRate = 192000

	// maxBitsPerChannel is ISO 14496-3's cap on one raw_data_block:
	// 6144 bits per channel per 1024-sample frame. It bounds both the
	// bitrate and the size of one access unit.
	maxBitsPerChannel = 6144

	// samplesPerFrame is AAC-LC's frame length; each access unit covers
	// this many output samples.
	samplesPerFrame = 1024
)

// aacRates are the sampling frequencies with an index in ISO 14496-3
// (Table 1.18); the native encoder accepts exactly these.
var aacRates = [...]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// withDefaults returns cfg with defaults filled in, or ErrInvalidConfig.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.InputRate <= 0 || cfg.InputRate > maxInputRate {
		return cfg, fmt.Errorf("%w: input rate %d Hz outside 1..%d", ErrInvalidConfig, cfg.InputRate, maxInputRate)
	}
	if cfg.OutputRate == 0 {
		cfg.OutputRate = cfg.InputRate
	}
	if !isAACRate(cfg.OutputRate) {
		return cfg, fmt.Errorf("%w: output rate %d Hz has no AAC sampling frequency index", ErrInvalidConfig, cfg.OutputRate)
	}
	if cfg.Channels == 0 {
		cfg.Channels = 1
	}
	if cfg.Channels != 1 {
		return cfg, fmt.Errorf("%w: %d channels, only mono is supported", ErrInvalidConfig, cfg.Channels)
	}
	if cfg.Bitrate == 0 {
		cfg.Bitrate = defaultBitrateHigh
		if cfg.OutputRate <= lowRateLimit {
			cfg.Bitrate = defaultBitrateLow
		}
	}
	switch cfg.Coder {
	case "":
		cfg.Coder = CoderFast
	case CoderFast, CoderTwoLoop:
	default:
		return cfg, fmt.Errorf("%w: AAC coder %q", ErrInvalidConfig, cfg.Coder)
	}
	// Above this libavcodec silently clamps; say so instead.
	maxBitrate := maxBitsPerChannel * cfg.Channels * cfg.OutputRate / samplesPerFrame
	if cfg.Bitrate < 0 || cfg.Bitrate > maxBitrate {
		return cfg, fmt.Errorf("%w: bitrate %d bit/s outside 1..%d at %d Hz", ErrInvalidConfig, cfg.Bitrate, maxBitrate, cfg.OutputRate)
	}
	return cfg, nil
}

func isAACRate(rate int) bool {
	for _, r := range aacRates {
		if r == rate {
			return true
		}
	}
	return false
}
