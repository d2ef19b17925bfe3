package sdp

// MaxSDPSize bounds the SDP body. Answers are a few kilobytes; the bound
// caps the work and memory a hostile peer can cause.
const MaxSDPSize = 64 << 10

// Answer is the part of an SDP answer the gateway acts on.
type Answer struct {
	Audio *Media // first audio m= section; nil when absent or rejected (port 0)
	Video *Media // first video m= section; nil when absent or rejected (port 0)
}

// ParseAnswer reads the SDP answer of the peer. It fails with ErrNoMedia
// when neither audio nor video was accepted.
func ParseAnswer(b []byte) (*Answer, error) {
	sd, err := parseSession(b)
	if err != nil {
		return nil, err
	}

	var a Answer
	var seenAudio, seenVideo bool
	for _, md := range sd.MediaDescriptions {
		var dst **Media
		switch md.MediaName.Media {
		case "audio":
			if seenAudio {
				continue
			}
			seenAudio, dst = true, &a.Audio
		case "video":
			if seenVideo {
				continue
			}
			seenVideo, dst = true, &a.Video
		default:
			continue
		}
		m, err := parseMedia(sd, md)
		if err != nil {
			return nil, err
		}
		*dst = m
	}
	if a.Audio == nil && a.Video == nil {
		return nil, ErrNoMedia
	}
	return &a, nil
}
