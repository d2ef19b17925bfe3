package callapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sipcast/sipcast/protocol/rtmpurl"
)

// Push is the object /push/startup and /push/find answer with. The first eight fields are the
// original's; the rest are sipcast's additions (a client that does not know them ignores them).
type Push struct {
	MediaSessionID string         `json:"mediaSessionId"`
	StreamName     string         `json:"streamName"`
	RTMPURL        string         `json:"rtmpUrl"`
	Width          int            `json:"width"`
	Height         int            `json:"height"`
	Muted          bool           `json:"muted"`
	SoundEnabled   bool           `json:"soundEnabled"`
	Options        map[string]any `json:"options"`
	// PublishedName is the stream's name on the RTMP server: the prefix + StreamName.
	PublishedName    string  `json:"publishedName"`
	CallID           string  `json:"callId"`
	RTMPStreamStatus string  `json:"rtmpStreamStatus"`
	Reason           *string `json:"reason"`
}

// PushStartRequest is the /push/startup body.
type PushStartRequest struct {
	StreamName Text           `json:"streamName"`
	RTMPURL    Text           `json:"rtmpUrl"`
	Options    map[string]any `json:"options"`
}

// PushStart is a validated /push/startup.
type PushStart struct {
	StreamName string
	// Target is where to publish: rtmpUrl with the stream name prefix + StreamName.
	Target  rtmpurl.Target
	RTMPURL string // as given, password and secret query values masked (rtmpurl.Redact)
	Muted   bool
	// SoundFile names a file of the sounds folder to play instead of the call's audio.
	SoundFile string
	SoundLoop bool
	Options   map[string]any
}

// ParsePushStart decodes and validates a /push/startup body; prefix is put in front of the
// stream name on the RTMP server ("rtmp_" by default, as the original's clients expect).
func ParsePushStart(body []byte, prefix string) (PushStart, error) {
	var r PushStartRequest
	if err := decodeObject(body, &r); err != nil {
		return PushStart{}, err
	}
	p := PushStart{StreamName: trim(r.StreamName), Options: r.Options}
	if p.Options == nil {
		p.Options = map[string]any{}
	}
	if p.StreamName == "" {
		return PushStart{}, fmt.Errorf("%w: streamName", ErrMissing)
	}
	raw := trim(r.RTMPURL)
	if raw == "" {
		return PushStart{}, fmt.Errorf("%w: rtmpUrl", ErrMissing)
	}
	t, err := rtmpurl.Parse(raw, prefix+p.StreamName)
	if err != nil {
		return PushStart{}, fmt.Errorf("%w: rtmpUrl: %v", ErrInvalid, err)
	}
	p.Target, p.RTMPURL = t, rtmpurl.Redact(raw)
	action, _ := p.Options["action"].(string)
	switch strings.ToLower(action) {
	case "":
	case "mute":
		p.Muted = true
	case "sound_on":
		p.SoundFile, _ = p.Options["soundFile"].(string)
		if p.SoundFile == "" {
			return PushStart{}, fmt.Errorf("%w: options.soundFile", ErrMissing)
		}
		p.SoundLoop, _ = p.Options["loop"].(bool)
	default:
		return PushStart{}, fmt.Errorf("%w: options.action %q: want mute or sound_on", ErrInvalid, action)
	}
	return p, nil
}

// PushRequest is the body of the /push methods that name a push: terminate, mute, unmute,
// sound_on, sound_off; and of /push/find.
type PushRequest struct {
	MediaSessionID Text `json:"mediaSessionId"`
	SoundFile      Text `json:"soundFile"`
	Loop           Bool `json:"loop"`
	StreamName     Text `json:"streamName"`
	RTMPURL        Text `json:"rtmpUrl"`
}

// ParsePushRequest decodes a PushRequest; needID requires mediaSessionId.
func ParsePushRequest(body []byte, needID bool) (PushRequest, error) {
	var r PushRequest
	if err := decodeObject(body, &r); err != nil {
		return r, err
	}
	if needID && trim(r.MediaSessionID) == "" {
		return r, fmt.Errorf("%w: mediaSessionId", ErrMissing)
	}
	return r, nil
}

// decodeObject reads a JSON object body (an empty body is an empty object).
func decodeObject(body []byte, v any) error {
	if strings.TrimSpace(string(body)) == "" {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%w: field %q: %v", ErrWrongType, te.Field, err)
		}
		if errors.Is(err, ErrWrongType) {
			return err
		}
		return fmt.Errorf("%w: malformed JSON: %v", ErrWrongType, err)
	}
	return nil
}
