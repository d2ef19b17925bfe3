package sdp

import (
	"strconv"
	"strings"
)

// H.264 profile_idc values (the first byte of profile-level-id) that FLV
// players and RTMP ingest decode: baseline, main, extended, high. 10-bit,
// 4:2:2 and 4:4:4 profiles are refused rather than relayed undecodable.
var flvH264Profiles = map[byte]bool{0x42: true, 0x4d: true, 0x58: true, 0x64: true}

// Receivable reports whether the gateway can take a codec of the answer in:
// G.711, Speex at 8 or 16 kHz, Opus at 48 kHz for audio; H.264 in
// packetization mode 0 or 1 with an FLV-friendly profile, or VP8, for video.
// Names compare case-insensitively, as the dynamic payload types of an answer
// are known by name only.
func Receivable(c Codec, video bool) bool {
	name := strings.ToUpper(c.Name)
	if (name == NameVP8 || name == NameH264) != video {
		return false
	}
	switch name {
	case NamePCMU, NamePCMA:
		return c.ClockRate == 8000
	case NameSpeex:
		return c.ClockRate == 8000 || c.ClockRate == 16000
	case NameOpus:
		return c.ClockRate == 48000
	case NameVP8:
		return c.ClockRate == 90000
	case NameH264:
		if c.ClockRate != 90000 {
			return false
		}
		if m := c.PacketizationMode(); m != 0 && m != 1 {
			return false
		}
		profile, ok := c.H264Profile()
		return !ok || flvH264Profiles[profile]
	}
	return false
}

// H264Profile returns the profile_idc of the fmtp's profile-level-id; ok is
// false when the parameter is absent or unreadable (RFC 6184 then means
// constrained baseline).
func (c Codec) H264Profile() (byte, bool) {
	v, ok := c.FmtpParam("profile-level-id")
	if !ok || len(v) != 6 {
		return 0, false
	}
	n, err := strconv.ParseUint(v[:2], 16, 8)
	if err != nil {
		return 0, false
	}
	return byte(n), true
}

// Choose returns the codec the peer will send on this stream (video or
// audio): the first of the answer's list (its preference, RFC 3264 §6.1) that
// the gateway can receive. Telephone events, comfort noise and anything
// unknown are skipped.
func (m *Media) Choose(video bool) (Codec, bool) {
	if m == nil {
		return Codec{}, false
	}
	for _, c := range m.Codecs {
		if Receivable(c, video) {
			return c, true
		}
	}
	return Codec{}, false
}
