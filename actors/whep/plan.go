package whep

import (
	"fmt"
	"strings"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/actors/viewer"
	"github.com/sipcast/sipcast/protocol/playback"
)

// plan is what a session sends: per line, the offer's format that carries the call's codec.
// filler holds a format for each line of the offer the call cannot fill: registered, so the
// line is answered inactive instead of rejected — a rejected first line would take the whole
// BUNDLE transport with it, and the browser would never connect.
type plan struct {
	audio, video *choice
	filler       []*choice
}

type choice struct {
	src    rtp.Source
	format playback.Format
	params webrtc.RTPCodecParameters
	kind   webrtc.RTPCodecType
}

// planFor matches the offer with the call's media. A line either side lacks is left out; no
// line in common is ErrCodecMismatch, naming both sides.
func planFor(o *playback.Offer, d *viewer.Description) (*plan, error) {
	p := &plan{}
	if d.Video != nil && o.HasVideo {
		if f, ok := playback.Pick(o.Video, d.Video.Codec, d.Video.SPS); ok {
			p.video = newChoice(*d.Video, f, webrtc.RTPCodecTypeVideo)
		}
	}
	if d.Audio != nil && o.HasAudio {
		if f, ok := playback.Pick(o.Audio, d.Audio.Codec, nil); ok {
			p.audio = newChoice(*d.Audio, f, webrtc.RTPCodecTypeAudio)
		}
	}
	if p.audio == nil && p.video == nil {
		return nil, fmt.Errorf("%w: the offer has audio %s and video %s; the call has %s",
			playback.ErrCodecMismatch, offered(o.HasAudio, o.Audio), offered(o.HasVideo, o.Video), callHas(d))
	}
	if p.audio == nil && o.HasAudio {
		p.filler = append(p.filler, fillerOf(o.Audio, webrtc.RTPCodecTypeAudio)...)
	}
	if p.video == nil && o.HasVideo {
		p.filler = append(p.filler, fillerOf(o.Video, webrtc.RTPCodecTypeVideo)...)
	}
	return p, nil
}

// fillerOf picks the first format of a line that pion knows, to answer the line inactive.
func fillerOf(fs []playback.Format, kind webrtc.RTPCodecType) []*choice {
	for _, f := range fs {
		switch f.Name {
		case "VP8", "OPUS", "PCMU", "PCMA":
			return []*choice{newChoice(rtp.Source{}, f, kind)}
		case "H264":
			if playback.FmtpParam(f.Fmtp, "packetization-mode") == "1" {
				return []*choice{newChoice(rtp.Source{}, f, kind)}
			}
		}
	}
	return nil
}

func offered(has bool, fs []playback.Format) string {
	if !has {
		return "(no line)"
	}
	return "[" + playback.Names(fs) + "]"
}

func callHas(d *viewer.Description) string {
	var parts []string
	if d.Audio != nil {
		parts = append(parts, "audio "+d.Audio.Codec)
	}
	if d.Video != nil {
		v := "video " + d.Video.Codec
		if d.Video.Codec == "H264" {
			v += " (packetization-mode=1)"
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, " and ")
}

func newChoice(src rtp.Source, f playback.Format, kind webrtc.RTPCodecType) *choice {
	mime := map[string]string{"H264": webrtc.MimeTypeH264, "VP8": webrtc.MimeTypeVP8, "OPUS": webrtc.MimeTypeOpus,
		"PCMU": webrtc.MimeTypePCMU, "PCMA": webrtc.MimeTypePCMA}[f.Name]
	c := webrtc.RTPCodecCapability{MimeType: mime, ClockRate: f.ClockRate, Channels: uint16(f.Channels), SDPFmtpLine: f.Fmtp}
	if kind == webrtc.RTPCodecTypeVideo {
		c.RTCPFeedback = []webrtc.RTCPFeedback{{Type: "ccm", Parameter: "fir"}} // nack, nack pli: ConfigureNack
	}
	return &choice{src: src, format: f, kind: kind,
		params: webrtc.RTPCodecParameters{RTPCodecCapability: c, PayloadType: webrtc.PayloadType(f.PayloadType)}}
}

func (p *plan) codecs() []*choice {
	var out []*choice
	for _, c := range []*choice{p.audio, p.video} {
		if c != nil {
			out = append(out, c)
		}
	}
	return append(out, p.filler...)
}

// interceptors answers the browser's NACKs from a per-track history of sent packets and sends
// the sender reports it needs for lip sync; sipcast asks nothing of the browser's feedback.
func interceptors(m *webrtc.MediaEngine) *interceptor.Registry {
	ir := &interceptor.Registry{}
	_ = webrtc.ConfigureNack(m, ir)
	_ = webrtc.ConfigureRTCPReports(ir)
	return ir
}
