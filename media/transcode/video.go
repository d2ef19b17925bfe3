package transcode

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// Defaults of VideoConfig.
const (
	// DefaultBitrate suits the 360p-720p pictures of SIP video devices.
	DefaultBitrate = 1_000_000
	// DefaultKeyInterval is what YouTube and Twitch ask of live ingest.
	DefaultKeyInterval = 2 * time.Second
	// DefaultPreset is the cheapest x264 preset that keeps CABAC-free
	// baseline quality acceptable; "ultrafast" halves the CPU again at a
	// visibly worse picture for the same bitrate.
	DefaultPreset = "veryfast"
	// DefaultFrameRate is x264's first guess of the frame rate.
	DefaultFrameRate = 25
)

// lowLatencyParams keeps libx264's delay to one picture: no lookahead, no
// B-frames, no frame threads, no scene-cut key frames (they come by time, see
// KeyInterval). The one picture is variable-frame-rate input: x264 learns a
// picture's duration from the next one's timestamp, which keeps the bitrate
// on target whatever frame rate the device sends (zerolatency's constant
// rate would miss it by the ratio of the real rate to FrameRate).
const lowLatencyParams = "rc-lookahead=0:sync-lookahead=0:bframes=0:scenecut=0:sliced-threads=0"

// VideoConfig configures a VideoTranscoder. Zero values take the defaults.
type VideoConfig struct {
	// Bitrate is the H.264 target and cap, in bit/s. Default DefaultBitrate.
	Bitrate int
	// KeyInterval is the longest time between IDR pictures. Default
	// DefaultKeyInterval.
	KeyInterval time.Duration
	// Preset is the x264 preset. Default DefaultPreset.
	Preset string
	// FrameRate is the rate control's initial frame rate guess (the real one
	// comes from the timestamps). Default DefaultFrameRate.
	FrameRate int
}

// AU is one H.264 access unit out of the encoder.
type AU struct {
	// NALUs without start codes; owned by the caller.
	NALUs [][]byte
	PTS   time.Duration
	// Key is true for an IDR picture, which carries SPS and PPS in front.
	Key bool
}

// VideoTranscoder decodes VP8 frames and encodes H.264. Create it with
// NewVideoTranscoder.
type VideoTranscoder struct {
	lib      *vtx
	cfg      VideoConfig
	buf      []byte
	lastKey  time.Duration
	haveKey  bool // an IDR went out since open (or the last ForceKey)
	cleanup  runtime.Cleanup
	decoding bool // a key frame went into the decoder: inter frames may follow
}

// NewVideoTranscoder opens the VP8 decoder; the H.264 encoder opens with the
// first picture, when its size is known. Errors wrap ErrConfig or ErrInit.
func NewVideoTranscoder(cfg VideoConfig) (*VideoTranscoder, error) {
	if cfg.Bitrate == 0 {
		cfg.Bitrate = DefaultBitrate
	}
	if cfg.KeyInterval == 0 {
		cfg.KeyInterval = DefaultKeyInterval
	}
	if cfg.Preset == "" {
		cfg.Preset = DefaultPreset
	}
	if cfg.FrameRate == 0 {
		cfg.FrameRate = DefaultFrameRate
	}
	if cfg.Bitrate < 50_000 || cfg.Bitrate > 50_000_000 || cfg.KeyInterval < 0 || cfg.FrameRate < 1 ||
		cfg.FrameRate > 120 || len(cfg.Preset) > 30 || strings.ContainsAny(cfg.Preset, ":=") {
		return nil, fmt.Errorf("%w: %+v", ErrConfig, cfg)
	}
	lib, err := openVtx("vp8", cfg.Bitrate, cfg.FrameRate, cfg.Preset, lowLatencyParams)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInit, err)
	}
	t := &VideoTranscoder{lib: lib, cfg: cfg, buf: make([]byte, 256<<10)}
	t.cleanup = runtime.AddCleanup(t, (*vtx).close, lib)
	return t, nil
}

// ForceKey makes the next picture an IDR: a new subscriber (a push, a
// reconnected publisher) can start at once instead of waiting KeyInterval.
func (t *VideoTranscoder) ForceKey() { t.haveKey = false }

// Transcode decodes one VP8 frame presented at pts and returns the H.264
// access units that came out: the previous picture's, as the encoder keeps
// one picture back (see lowLatencyParams). Until
// the first key frame, inter frames are skipped. A frame the decoder rejects
// returns ErrDecode: the caller should ask the device for a key frame.
func (t *VideoTranscoder) Transcode(frame []byte, key bool, pts time.Duration) ([]AU, error) {
	if t.lib == nil {
		return nil, ErrClosed
	}
	defer runtime.KeepAlive(t)
	if !key && !t.decoding {
		return nil, nil
	}
	if err := t.lib.decode(frame, pts.Milliseconds()); err != nil {
		if !key {
			t.decoding = false // its references are suspect until the next key frame
		}
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	t.decoding = true
	var out []AU
	for {
		force := !t.haveKey || pts-t.lastKey >= t.cfg.KeyInterval
		ok, err := t.lib.encode(force)
		if err != nil {
			return out, fmt.Errorf("%w: %w", ErrEncode, err)
		}
		if !ok {
			break
		}
		if force {
			t.haveKey, t.lastKey = true, pts
		}
		out, err = t.receiveAll(out)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// receiveAll appends every access unit the encoder has ready.
func (t *VideoTranscoder) receiveAll(out []AU) ([]AU, error) {
	for {
		size := t.lib.pendingSize()
		if size == 0 {
			return out, nil
		}
		if size > len(t.buf) {
			t.buf = make([]byte, size)
		}
		n, ptsMS, key, err := t.lib.receive(t.buf)
		if err != nil {
			return out, fmt.Errorf("%w: %w", ErrEncode, err)
		}
		var annexb h264.AnnexB
		if err := annexb.Unmarshal(t.buf[:n]); err != nil {
			return out, fmt.Errorf("%w: encoder output: %w", ErrEncode, err)
		}
		// AnnexB slices alias t.buf, which the next access unit overwrites.
		nalus := make([][]byte, len(annexb))
		for i, n := range annexb {
			nalus[i] = append([]byte(nil), n...)
		}
		out = append(out, AU{NALUs: nalus, PTS: time.Duration(ptsMS) * time.Millisecond, Key: key})
	}
}

// Close frees the transcoder; it is idempotent.
func (t *VideoTranscoder) Close() {
	if t.lib == nil {
		return
	}
	t.cleanup.Stop()
	t.lib.close()
	t.lib = nil
}
