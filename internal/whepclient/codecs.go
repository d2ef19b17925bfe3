package whepclient

import (
	"strings"

	"github.com/pion/interceptor"
	"github.com/pion/webrtc/v4"
)

// registerCodecs registers pion's defaults, or only the named codec of a line.
func registerCodecs(m *webrtc.MediaEngine, o Options) error {
	if o.Audio == "" && o.Video == "" {
		return m.RegisterDefaultCodecs()
	}
	fb := []webrtc.RTCPFeedback{{Type: "nack"}, {Type: "nack", Parameter: "pli"}}
	all := map[string]webrtc.RTPCodecParameters{
		"H264": {RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeH264, ClockRate: 90000,
			SDPFmtpLine: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", RTCPFeedback: fb}, PayloadType: 102},
		"VP8":  {RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000, RTCPFeedback: fb}, PayloadType: 96},
		"OPUS": {RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}, PayloadType: 111},
		"PCMU": {RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, PayloadType: 0},
		"PCMA": {RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMA, ClockRate: 8000}, PayloadType: 8},
	}
	for kind, names := range map[webrtc.RTPCodecType]string{webrtc.RTPCodecTypeAudio: o.Audio, webrtc.RTPCodecTypeVideo: o.Video} {
		if names == "-" {
			continue
		}
		if names == "" {
			names = map[webrtc.RTPCodecType]string{webrtc.RTPCodecTypeAudio: "OPUS,PCMU,PCMA", webrtc.RTPCodecTypeVideo: "H264,VP8"}[kind]
		}
		for _, n := range strings.Split(names, ",") {
			if err := m.RegisterCodec(all[strings.ToUpper(n)], kind); err != nil {
				return err
			}
		}
	}
	return nil
}

type interceptorRegistry struct{}

// get registers the interceptors a receiver needs: NACKs for lost video, receiver reports.
func (interceptorRegistry) get(m *webrtc.MediaEngine) *interceptor.Registry {
	ir := &interceptor.Registry{}
	_ = webrtc.ConfigureNack(m, ir)
	_ = webrtc.ConfigureRTCPReports(ir)
	return ir
}
