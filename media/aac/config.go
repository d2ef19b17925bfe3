package aac

import (
	"fmt"
	"strconv"
)

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
	// defaultBitrateLow for OutputRate ≤ lowRateLimit,
	// defaultBitrateUpsampled for narrow-band input resampled above it,
	// else defaultBitrateHigh.
	Bitrate int

	// Cutoff is the highest frequency coded, in Hz (libavcodec's cutoff).
	// 0 (default) means InputRate/2 when OutputRate is higher (nothing
	// above the input's Nyquist frequency exists to be coded, and bits
	// spent there are taken from speech: with it, 8 kHz G.711 at 48 kHz
	// and 64 kbit/s measures 41.8 instead of 39.2 dB SNR in 300–3400 Hz),
	// else libavcodec's choice from the rate and bitrate. -1 forces
	// libavcodec's choice.
	Cutoff int

	// Coder is libavcodec's quantiser search (its aac_coder option):
	// CoderFast (default) or CoderTwoLoop.
	Coder Coder

	// options are more of libavcodec's encoder options, "key=value:...",
	// for the tests that survey them.
	options string
}

// Coder names a quantiser search of libavcodec's native AAC encoder.
type Coder string

const (
	// CoderFast is the default: at 8 kHz and 32 kbit/s it costs a fifth of
	// CoderTwoLoop's CPU on the speech in testdata, about half on noise or
	// a tone (BenchmarkEncode8k), and a narrow-band telephone signal gains
	// nothing from the slower search (TestSurveyOptions: 33.2 dB SNR in
	// 300–3400 Hz against twoloop's 27.0). The encoder is the largest part
	// of a call's CPU, so this is what lets one machine hold hundreds of
	// calls.
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

	// defaultBitrateUpsampled is for narrow-band input (≤ 8 kHz) at a
	// rate above lowRateLimit, e.g. G.711 at 48 kHz for YouTube. With the
	// cutoff at 4 kHz it keeps speech as well as 8 kHz at 32 kbit/s does
	// (at 48 kHz 34.0 dB SNR and 1.16 dB spectral distance in 300–3400 Hz,
	// against 33.2 and 1.45; 40 kbit/s falls to 29.4 and 1.88) and costs
	// less CPU than 64 kbit/s did: 26 % on speech, 70 % on a pure tone,
	// 15–25 % on noise and silence (bench/RESULTS.md, "Issue 14").
	defaultBitrateUpsampled = 48000

	// narrowBandRate is the highest input rate that counts as narrow-band.
	narrowBandRate = 8000

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
		switch {
		case cfg.OutputRate <= lowRateLimit:
			cfg.Bitrate = defaultBitrateLow
		case cfg.InputRate <= narrowBandRate:
			cfg.Bitrate = defaultBitrateUpsampled
		default:
			cfg.Bitrate = defaultBitrateHigh
		}
	}
	if cfg.Cutoff == 0 && cfg.OutputRate > cfg.InputRate {
		cfg.Cutoff = cfg.InputRate / 2
	}
	if cfg.Cutoff < -1 || cfg.Cutoff > cfg.OutputRate/2 {
		return cfg, fmt.Errorf("%w: cutoff %d Hz outside 1..%d", ErrInvalidConfig, cfg.Cutoff, cfg.OutputRate/2)
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

// avOptions is cfg as libavcodec's encoder options. The others keep
// libavcodec's defaults: on mono G.711 none of aac_is, aac_ms, aac_pns
// (which codes nothing under 4 kHz) and aac_tns changed the CPU measurably,
// and only aac_tns changed the output at all (bench/RESULTS.md, "Issue 14").
func (cfg Config) avOptions() string {
	opts := "aac_coder=" + string(cfg.Coder)
	if cfg.Cutoff > 0 {
		opts += ":cutoff=" + strconv.Itoa(cfg.Cutoff)
	}
	if cfg.options != "" {
		opts += ":" + cfg.options
	}
	return opts
}
