package main

import (
	"fmt"
	"time"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/internal/udppoll"
	"github.com/sipcast/sipcast/media/jitter"
	"github.com/sipcast/sipcast/media/transcode"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// MediaConfig is the codec, jitter-buffer and transcoding part of the configuration, embedded
// in Config (its YAML keys sit at the top level like the others).
type MediaConfig struct {
	AudioCodecs      string        `yaml:"audio_codecs"`       // pcma,pcmu,speex,opus: the offer's audio formats, in order
	VideoCodecs      string        `yaml:"video_codecs"`       // h264,vp8: the offer's video formats, in order
	RTPJitterBuffer  bool          `yaml:"rtp_jitter_buffer"`  // true: reorder and dedupe incoming RTP (the spec's rtp_in_buffer)
	RTPJitterDepth   time.Duration `yaml:"rtp_jitter_depth"`   // 100ms: longest wait for a missing packet
	RTPReadInterval  time.Duration `yaml:"rtp_read_interval"`  // 10ms: pause between the rounds that read every RTP socket
	VideoBitrate     int           `yaml:"video_bitrate"`      // 1000000 bit/s: H.264 made from VP8
	VideoPreset      string        `yaml:"video_preset"`       // veryfast: x264 preset of that H.264
	VideoKeyInterval time.Duration `yaml:"video_key_interval"` // 2s: IDR interval of that H.264, and the longest a device's H.264 goes without one before PLI
}

func defaultMedia() MediaConfig {
	return MediaConfig{
		// G.711 and Speex first: RTMP can carry them untranscoded (rtmp_audio), H.264 likewise.
		AudioCodecs: "pcma,pcmu,speex,opus", VideoCodecs: "h264,vp8",
		RTPJitterBuffer: true, RTPJitterDepth: jitter.DefaultDepth, RTPReadInterval: udppoll.DefaultInterval,
		VideoBitrate: transcode.DefaultBitrate, VideoPreset: transcode.DefaultPreset,
		VideoKeyInterval: transcode.DefaultKeyInterval,
	}
}

func (c *Config) mediaSettings() []setting {
	m := &c.MediaConfig
	return []setting{
		{"SIPCAST_AUDIO_CODECS", "audio-codecs", "audio codecs offered, in order: pcma, pcmu, speex (16 and 8 kHz), opus", &m.AudioCodecs},
		{"SIPCAST_VIDEO_CODECS", "video-codecs", "video codecs offered, in order: h264 (modes 1 and 0), vp8", &m.VideoCodecs},
		{"SIPCAST_RTP_JITTER_BUFFER", "rtp-jitter-buffer", "reorder incoming RTP, drop duplicates, NACK/PLI on loss", &m.RTPJitterBuffer},
		{"SIPCAST_RTP_JITTER_DEPTH", "rtp-jitter-depth", "longest wait of the jitter buffer for a missing packet", &m.RTPJitterDepth},
		{"SIPCAST_RTP_READ_INTERVAL", "rtp-read-interval", "pause between the rounds in which one goroutine reads every call's RTP socket (0-20ms; 0: read as each packet comes, at more CPU)", &m.RTPReadInterval},
		{"SIPCAST_VIDEO_BITRATE", "video-bitrate", "bitrate of the H.264 transcoded from VP8, bit/s", &m.VideoBitrate},
		{"SIPCAST_VIDEO_PRESET", "video-preset", "x264 preset of the H.264 transcoded from VP8 (ultrafast halves the CPU)", &m.VideoPreset},
		{"SIPCAST_VIDEO_KEY_INTERVAL", "video-key-interval", "IDR interval of the H.264 made from VP8; a device's H.264 without one for that long is asked for one (PLI); 0: off", &m.VideoKeyInterval},
	}
}

// callMedia is what every call gets of the media settings.
type callMedia struct {
	audio, video []sdp.OfferCodec
	rtp          rtp.MediaOptions
	encoder      transcode.VideoConfig
}

func (c MediaConfig) callMedia() (callMedia, error) {
	audio, err := sdp.ParseCodecList("audio", c.AudioCodecs)
	if err != nil {
		return callMedia{}, fmt.Errorf("audio_codecs %q: %w", c.AudioCodecs, err)
	}
	video, err := sdp.ParseCodecList("video", c.VideoCodecs)
	if err != nil {
		return callMedia{}, fmt.Errorf("video_codecs %q: %w", c.VideoCodecs, err)
	}
	poller, err := udppoll.New(c.RTPReadInterval)
	if err != nil {
		return callMedia{}, fmt.Errorf("rtp_read_interval %v: want 0-%v", c.RTPReadInterval, udppoll.MaxInterval)
	}
	return callMedia{
		audio: audio, video: video,
		rtp: rtp.MediaOptions{JitterOff: !c.RTPJitterBuffer, JitterDepth: c.RTPJitterDepth,
			KeyInterval: c.VideoKeyInterval, Poller: poller},
		encoder: transcode.VideoConfig{Bitrate: c.VideoBitrate, Preset: c.VideoPreset, KeyInterval: c.VideoKeyInterval},
	}, nil
}

func (c MediaConfig) validateMedia() []error {
	var errs []error
	if _, err := c.callMedia(); err != nil {
		errs = append(errs, err)
	}
	if c.RTPJitterDepth < 0 || c.RTPJitterDepth > 2*time.Second {
		errs = append(errs, fmt.Errorf("rtp_jitter_depth %v: want 0-2s", c.RTPJitterDepth))
	}
	if c.VideoBitrate < 50_000 || c.VideoBitrate > 50_000_000 {
		errs = append(errs, fmt.Errorf("video_bitrate %d: want 50000-50000000", c.VideoBitrate))
	}
	if c.VideoKeyInterval < 0 {
		errs = append(errs, fmt.Errorf("video_key_interval %v is negative", c.VideoKeyInterval))
	}
	switch c.VideoPreset {
	case "ultrafast", "superfast", "veryfast", "faster", "fast", "medium":
	default:
		errs = append(errs, fmt.Errorf("video_preset %q: want ultrafast, superfast, veryfast, faster, fast or medium", c.VideoPreset))
	}
	return errs
}

// gapFill is rtmp_gap_fill as the call actor takes it: 0 in the configuration is off, which
// the publishers spell negative (their 0 is the default).
func (c Config) gapFill() time.Duration {
	if c.RTMPGapFill <= 0 {
		return -1
	}
	return c.RTMPGapFill
}
