package sdp

import (
	"fmt"
	"strings"

	psdp "github.com/pion/sdp/v3"
)

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
	if len(b) > MaxSDPSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(b))
	}
	s := strings.TrimLeft(string(b), "\r\n")
	if !strings.HasPrefix(s, "v=") {
		// pion accepts an empty document; a real one starts with v=.
		return nil, fmt.Errorf("%w: no v= line first", ErrMalformed)
	}
	if !strings.HasSuffix(s, "\n") {
		// pion fails on a last line without its line ending.
		s += "\r\n"
	}
	var sd psdp.SessionDescription
	if err := sd.UnmarshalString(s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
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
		m, err := parseMedia(&sd, md)
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
