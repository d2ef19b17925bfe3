package aac

import (
	"fmt"
	"runtime"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
)

// maxAUSize is the largest access unit AAC allows for one channel; buffers of
// this size never need to grow.
const maxAUSize = maxBitsPerChannel / 8

// Encoder turns 16-bit PCM into raw AAC-LC access units. Create it with
// NewEncoder and Close it when the call ends. Not safe for concurrent use.
type Encoder struct {
	lib   *libav
	cfg   Config
	asc   mpeg4audio.AudioSpecificConfig
	delay int

	// pending holds input until it completes a frame: the 20 ms RTP
	// payloads are gathered here so that C is called once per 1024-sample
	// frame, not once per packet. Its capacity is one frame's input.
	pending []int16
	out     []byte // AU bytes of one Encode, back to back; aus point into it
	aus     [][]byte

	// cleanup frees the C memory of an Encoder that was dropped without
	// Close, so a forgotten Close costs a delay, not a leak per call.
	cleanup runtime.Cleanup
}

// NewEncoder opens an encoder for cfg. Errors wrap ErrInvalidConfig or
// ErrEncoderInit.
func NewEncoder(cfg Config) (*Encoder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	lib, err := openLibav(cfg.InputRate, cfg.OutputRate, cfg.Bitrate, cfg.avOptions())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEncoderInit, err)
	}
	e := &Encoder{
		lib:     lib,
		cfg:     cfg,
		delay:   lib.initialPadding(),
		pending: make([]int16, 0, inputPerFrame(samplesPerFrame, cfg)),
		out:     make([]byte, maxPacketsPerCall*maxAUSize),
	}
	e.cleanup = runtime.AddCleanup(e, (*libav).close, lib)
	if n := lib.frameSize(); n != samplesPerFrame {
		e.Close()
		return nil, fmt.Errorf("%w: frame size %d, want %d", ErrEncoderInit, n, samplesPerFrame)
	}
	if err := e.asc.Unmarshal(lib.extradata()); err != nil {
		e.Close()
		return nil, fmt.Errorf("%w: AudioSpecificConfig from extradata: %w", ErrEncoderInit, err)
	}
	return e, nil
}

// Config returns the AudioSpecificConfig for the RTMP/FLV AAC sequence
// header, as the encoder wrote it. The result is a copy.
func (e *Encoder) Config() *mpeg4audio.AudioSpecificConfig {
	asc := e.asc
	return &asc
}

// SampleRate is the output (AAC) sample rate in Hz.
func (e *Encoder) SampleRate() int { return e.cfg.OutputRate }

// Delay is the encoder delay (libavcodec's initial_padding) in output
// samples: the decoded stream lags the input by this much. See the package
// documentation for placing timestamps with it.
func (e *Encoder) Delay() int { return e.delay }

// Encode takes 16-bit mono PCM at the input rate, of any length, and returns
// the access units (raw, no ADTS header) that became complete, in order, each
// covering 1024 output samples. The remainder is buffered for the next call.
//
// The returned slices are owned by the Encoder and overwritten by the next
// Encode: copy any you keep. pcm is only read, never retained. Errors wrap
// ErrEncode or are ErrClosed.
func (e *Encoder) Encode(pcm []int16) ([][]byte, error) {
	if e.lib == nil {
		return nil, ErrClosed
	}
	// Keep e reachable until the last C call has returned, or its cleanup
	// could free the C state under a running swr_convert.
	defer runtime.KeepAlive(e)
	e.aus = e.aus[:0]
	used := 0
	for len(pcm) > 0 {
		// At least 1: pending is kept only while it is short of a frame.
		need := inputPerFrame(samplesPerFrame-e.lib.filled(), e.cfg) - len(e.pending)
		if len(pcm) < need {
			e.pending = append(e.pending, pcm...)
			break
		}
		in := pcm[:need]
		pcm = pcm[need:]
		if len(e.pending) > 0 {
			e.pending = append(e.pending, in...)
			in = e.pending
		}
		if len(e.out)-used < maxPacketsPerCall*maxAUSize {
			// Only input of several frames in one Encode (a filled gap)
			// gets here, not 20 ms packets; the AUs already out keep the
			// old array.
			e.out, used = make([]byte, 2*len(e.out)), 0
		}
		n, err := e.lib.encode(in, e.out[used:])
		e.pending = e.pending[:0]
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrEncode, err)
		}
		for i := range n {
			end := used + e.lib.size(i)
			e.aus = append(e.aus, e.out[used:end:end])
			used = end
		}
	}
	return e.aus, nil
}

// inputPerFrame is the input that brings out output samples: with a
// resampler, rounded up. swresample keeps a constant few input samples back
// for its filter, so this is exact once it runs: only a resampling
// encoder's first frame takes one call more (TestOneCallPerFrame).
func inputPerFrame(out int, cfg Config) int {
	return (out*cfg.InputRate + cfg.OutputRate - 1) / cfg.OutputRate
}

// Close frees the encoder's C memory. It is idempotent; Encode after Close
// returns ErrClosed.
func (e *Encoder) Close() {
	if e.lib == nil {
		return
	}
	e.cleanup.Stop()
	e.lib.close()
	e.lib = nil
}
