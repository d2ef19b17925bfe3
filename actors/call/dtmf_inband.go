package call

import (
	"fmt"
	"strings"
	"time"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/media/dtmftone"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// DTMFInband sends the digits as Q.23 dual tones in the audio sipcast sends the device: what
// RFC2833 falls back to on a call whose answer took no telephone-event, or asked for by name.
const DTMFInband = "INBAND"

// inbandRoute says whether in-band tones can reach the device, from an answer's audio line:
// sipcast must send audio on it (hasAudio true), the device must take audio (not sendonly or
// inactive), in a codec sipcast makes tones in. why says what is missing, for the user.
func inbandRoute(audio *sdp.Media, weSend bool) (ok bool, why string) {
	switch {
	case audio == nil || audio.Port == 0:
		return false, "the call has no audio line"
	case !weSend:
		return false, "sipcast sends no audio on this call (hasAudio false: its audio line is recvonly)"
	case audio.Direction == sdp.DirSendOnly || audio.Direction == sdp.DirInactive:
		return false, fmt.Sprintf("the device's answer is %s: it takes no audio from sipcast", audio.Direction)
	}
	if p := peerOf(audio, rtp.Audio, true); !p.Silence {
		return false, "the answer has no audio codec sipcast can make tones in (G.711, Opus, Speex)"
	}
	return true, ""
}

// allowsInfo reports whether a 2xx's Allow lists INFO.
func allowsInfo(allow string) bool {
	for m := range strings.SplitSeq(allow, ",") {
		if strings.EqualFold(strings.TrimSpace(m), "INFO") {
			return true
		}
	}
	return false
}

// route is how a request for typ goes: RFC2833, INBAND or INFO, with why when it is not what
// was asked; or "" with why it cannot go at all. RFC2833 without telephone-event falls back to
// in-band tones, and to INFO when the device takes no audio from sipcast but allows INFO.
func (d *dtmfSender) route(typ string, canInfo bool) (route, why string) {
	switch typ {
	case DTMFInfo:
		return DTMFInfo, ""
	case DTMFRFC2833:
		switch {
		case d.te:
			return DTMFRFC2833, ""
		case d.inband:
			return DTMFInband, "the device's answer did not accept telephone-event"
		case d.infoAllowed && canInfo:
			return DTMFInfo, "the device's answer did not accept telephone-event and " + d.inbandWhy
		}
		return "", "the callee's answer did not accept telephone-event, " + d.inbandWhy +
			", and the device does not allow INFO"
	case DTMFInband:
		if d.inband {
			return DTMFInband, ""
		}
		return "", "no in-band tones: " + d.inbandWhy
	}
	return "", fmt.Sprintf("unknown DTMF type %q", typ)
}

// tonesLength is how long n digits of tones play.
func tonesLength(n int) time.Duration {
	return time.Duration(n) * (dtmftone.DefaultTone + dtmftone.DefaultGap)
}
