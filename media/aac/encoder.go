package aac

import (
	"fmt"
	"runtime"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
)

// inputChunk is the most input samples handed to swresample at once. Input
// that does not fit the pending frame is buffered inside swresample, so this
// bounds that buffer however long a slice Encode is given.
const inputChunk = samplesPerFrame

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

	aus  [][]byte // returned by Encode, reused
	bufs [][]byte // backing arrays of aus, each maxAUSize*channels

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
	lib, err := openLibav(cfg.InputRate, cfg.OutputRate, cfg.Bitrate, string(cfg.Coder))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEncoderInit, err)
	}
	e := &Encoder{lib: lib, cfg: cfg, delay: lib.initialPadding()}
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
	for {
		chunk := pcm[:min(len(pcm), inputChunk)]
		pcm = pcm[len(chunk):]
		if err := e.encodeChunk(chunk); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrEncode, err)
		}
		if len(pcm) == 0 {
			return e.aus, nil
		}
	}
}

// encodeChunk feeds one chunk and sends every frame it completes.
func (e *Encoder) encodeChunk(chunk []int16) error {
	for {
		filled, err := e.lib.fill(chunk)
		if err != nil {
			return err
		}
		chunk = nil // swresample took it all; later rounds only drain
		if filled < samplesPerFrame {
			return nil
		}
		if err := e.lib.send(); err != nil {
			return err
		}
		if err := e.receiveAll(); err != nil {
			return err
		}
	}
}

// receiveAll appends every packet the encoder has ready to e.aus.
func (e *Encoder) receiveAll() error {
	for {
		buf := e.nextBuf()
		n, ok, err := e.lib.receive(buf)
		if err != nil || !ok {
			return err
		}
		e.aus = append(e.aus, buf[:n])
	}
}

// nextBuf returns the reusable buffer for the next access unit.
func (e *Encoder) nextBuf() []byte {
	i := len(e.aus)
	if i == len(e.bufs) {
		e.bufs = append(e.bufs, make([]byte, maxAUSize*e.cfg.Channels))
	}
	return e.bufs[i]
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
