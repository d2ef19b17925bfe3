package aac

import (
	"fmt"
	"math"
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

	// Quality, when above 0, selects libavcodec's variable bitrate at this
	// quality (ffmpeg's -q:a; its global_quality over FF_QP2LAMBDA).
	// Bitrate then still steers the psychoacoustic model, and so the bits
	// spent: at quality 1.3 and 8 kHz, 24 kbit/s falls to 28.2 dB SNR. 0
	// (default) means defaultNarrowQuality for narrow-band input
	// (InputRate ≤ 8 kHz), else constant bitrate. -1 forces constant
	// bitrate.
	Quality float64

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
	// rate above lowRateLimit, e.g. G.711 at 48 kHz for YouTube. At
	// constant bitrate, with the cutoff at 4 kHz, it keeps speech as well
	// as 8 kHz at 32 kbit/s does (34.0 dB SNR and 1.16 dB spectral distance
	// in 300–3400 Hz, against 33.2 and 1.45; 40 kbit/s falls to 29.4 and
	// 1.88) and costs a third less CPU on speech than 64 kbit/s did, three
	// quarters less on a tone (bench/RESULTS.md, "Issue 14").
	defaultBitrateUpsampled = 48000

	// narrowBandRate is the highest input rate that counts as narrow-band.
	narrowBandRate = 8000

	// defaultNarrowQuality is the variable-bitrate quality for narrow-band
	// input. At a constant bitrate libavcodec quantises and codes every
	// frame at least twice (the first pass only tracks its lambda), up to
	// six times when a frame misses the budget, as a pure tone does; at a
	// quality it does so once. On the speech in testdata at 8 kHz, 1.3
	// spends 35 kbit/s for 35.3 dB SNR and 1.45 dB spectral distance in
	// 300–3400 Hz (32 kbit/s CBR: 39 kbit/s spent, 33.2 and 1.45; 1.2
	// gives 33.2 and 1.77, 1.1 31.6 and 2.08); at 48 kHz with the 4 kHz
	// cutoff, 38.9 dB and 0.71 dB at 55 kbit/s. CPU against the CBR it
	// replaces: at 8 kHz 30 % less on speech, 54 % on silence, 84 % on a
	// pure tone, but 8 % more on loud white noise and 33 % more on the
	// bench harness's µ-law 440 Hz tone, whose quantisation noise codes
	// like noise; at 48 kHz (against 64 kbit/s) 52 % less on speech
	// (bench/RESULTS.md, "Issue 14").
	defaultNarrowQuality = 1.3

	// maxQuality bounds Quality against typos: ffmpeg's -q:a for its AAC
	// encoder is used between 0.1 and 2; above, only AAC's cap of 6144 bits
	// a frame limits the bitrate.
	maxQuality = 10

	// qp2lambda is libavcodec's FF_QP2LAMBDA, the scale of global_quality.
	qp2lambda = 118

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
	if cfg.Quality == 0 && cfg.InputRate <= narrowBandRate {
		cfg.Quality = defaultNarrowQuality
	}
	if cfg.Quality != -1 && (cfg.Quality < 0 || cfg.Quality > maxQuality) {
		return cfg, fmt.Errorf("%w: quality %g outside 0..%d", ErrInvalidConfig, cfg.Quality, maxQuality)
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
	if cfg.Quality > 0 {
		opts += ":flags=+qscale:global_quality=" + strconv.Itoa(int(math.Round(cfg.Quality*qp2lambda)))
	}
	if cfg.options != "" {
		opts += ":" + cfg.options
	}
	return opts
}
