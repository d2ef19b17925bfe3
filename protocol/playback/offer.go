package playback

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// Format is one codec a WHEP offer proposes on one media line.
type Format struct {
	PayloadType uint8
	Name        string // upper-case encoding name: "H264", "VP8", "OPUS", "PCMU"…
	ClockRate   uint32
	Channels    int
	Fmtp        string
}

// Offer is what a WHEP client's SDP offer proposes: the formats of its audio and video lines.
type Offer struct {
	Audio, Video []Format
	HasAudio     bool
	HasVideo     bool
}

// ParseOffer reads a WHEP offer. It fails with ErrBadOffer when body is not SDP or has no audio
// or video line.
func ParseOffer(body []byte) (*Offer, error) {
	var sd sdp.SessionDescription
	if err := sd.UnmarshalString(string(body)); err != nil {
		return nil, fmt.Errorf("%w: not SDP: %v", ErrBadOffer, err)
	}
	o := &Offer{}
	for _, md := range sd.MediaDescriptions {
		if md.MediaName.Port.Value == 0 {
			continue // a rejected line
		}
		var list *[]Format
		switch md.MediaName.Media {
		case "audio":
			list, o.HasAudio = &o.Audio, true
		case "video":
			list, o.HasVideo = &o.Video, true
		default:
			continue
		}
		*list = append(*list, formats(md)...)
	}
	if !o.HasAudio && !o.HasVideo {
		return nil, fmt.Errorf("%w: the offer has no audio or video line", ErrBadOffer)
	}
	return o, nil
}

// formats reads a media line's rtpmap and fmtp attributes.
func formats(md *sdp.MediaDescription) []Format {
	byPT := map[uint8]*Format{}
	var order []uint8
	for _, f := range md.MediaName.Formats {
		pt, err := strconv.ParseUint(f, 10, 7)
		if err != nil {
			continue
		}
		byPT[uint8(pt)] = &Format{PayloadType: uint8(pt)}
		order = append(order, uint8(pt))
	}
	for _, a := range md.Attributes {
		ptText, rest, ok := strings.Cut(a.Value, " ")
		if !ok {
			continue
		}
		pt, err := strconv.ParseUint(ptText, 10, 7)
		f := byPT[uint8(pt)]
		if err != nil || f == nil {
			continue
		}
		switch a.Key {
		case "rtpmap":
			parts := strings.Split(strings.TrimSpace(rest), "/")
			f.Name = strings.ToUpper(parts[0])
			if len(parts) > 1 {
				r, _ := strconv.ParseUint(parts[1], 10, 32)
				f.ClockRate = uint32(r)
			}
			if len(parts) > 2 {
				f.Channels, _ = strconv.Atoi(parts[2])
			}
		case "fmtp":
			f.Fmtp = strings.TrimSpace(rest)
		}
	}
	out := make([]Format, 0, len(order))
	for _, pt := range order {
		f := byPT[pt]
		if f.Name == "" {
			// Static payload types need no rtpmap.
			switch pt {
			case 0:
				f.Name, f.ClockRate = "PCMU", 8000
			case 8:
				f.Name, f.ClockRate = "PCMA", 8000
			default:
				continue
			}
		}
		out = append(out, *f)
	}
	return out
}

// FmtpParam returns one parameter of an fmtp line ("" if absent).
func FmtpParam(fmtp, name string) string {
	for _, p := range strings.Split(fmtp, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// Pick chooses the format of the offer that carries codec as the call sends it, or false. For
// H.264 that is packetization-mode 1 (what sipcast sends), preferring the profile of the call's
// SPS (nil if unknown): the same profile (constrained baseline, baseline, main, high…, as RFC
// 6184 reads profile_idc with the constraint flags), then the same profile_idc, then constrained
// baseline, which every browser decodes.
func Pick(formats []Format, codec string, sps []byte) (Format, bool) {
	var best Format
	score := -1
	for _, f := range formats {
		if f.Name != codec {
			continue
		}
		s := 0
		if codec == "H264" {
			if FmtpParam(f.Fmtp, "packetization-mode") != "1" {
				continue
			}
			s = h264Match(FmtpParam(f.Fmtp, "profile-level-id"), sps)
		}
		if s > score {
			best, score = f, s
		}
	}
	return best, score >= 0
}

// h264Match scores an offered profile-level-id against the stream's SPS: 3 the same profile,
// 2 the same profile_idc, 1 constrained baseline, 0 another.
func h264Match(plid string, sps []byte) int {
	b, err := hex.DecodeString(plid)
	if err != nil || len(b) != 3 {
		return 0
	}
	switch {
	case len(sps) >= 3 && profile(b[0], b[1]) == profile(sps[1], sps[2]):
		return 3
	case len(sps) >= 2 && b[0] == sps[1]:
		return 2
	case profile(b[0], b[1]) == "constrained baseline":
		return 1
	}
	return 0
}

// profile names an H.264 profile from profile_idc and the constraint flags (profile-iop), as
// RFC 6184's table 5 reads them; a profile it does not list is its profile_idc.
func profile(idc, iop byte) string {
	switch {
	case idc == 0x42 && iop&0x40 != 0, idc == 0x4d && iop&0x80 != 0, idc == 0x58 && iop&0xc0 == 0xc0:
		return "constrained baseline"
	case idc == 0x42, idc == 0x58 && iop&0xc0 == 0x80:
		return "baseline"
	case idc == 0x64 && iop&0x0c == 0x0c:
		return "constrained high"
	}
	return hex.EncodeToString([]byte{idc})
}

// Names lists the distinct codec names of formats, in order, for error messages.
func Names(formats []Format) string {
	seen := map[string]bool{}
	var out []string
	for _, f := range formats {
		switch f.Name {
		case "RTX", "RED", "ULPFEC", "FLEXFEC-03", "TELEPHONE-EVENT", "CN":
			continue
		}
		if !seen[f.Name] {
			seen[f.Name] = true
			out = append(out, f.Name)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}
