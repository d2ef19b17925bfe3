package callapi

// Call is the call object of /call/find, /call/find_all, /call/startup and the status
// notifications. Field names and JSON shapes are the spec's; a field that is unknown is null,
// never absent, because clients index into it (response[0].status).
//
// Reason is sipcast's addition: why a call FAILED or ended, in words. The original has no such
// field; a client that does not know it ignores it. RTMPGapFill, also sipcast's, names the tracks
// the call's RTMP stream is filling because the device sends nothing on them ("video", "audio"
// or "audio,video"; null when the real media flows).
type Call struct {
	Custom           map[string]any `json:"custom"`
	NodeID           *string        `json:"nodeId"`
	AppKey           *string        `json:"appKey"`
	SessionID        *string        `json:"sessionId"`
	CallID           string         `json:"callId"`
	ParentCallID     *string        `json:"parentCallId"`
	Incoming         bool           `json:"incoming"`
	Status           string         `json:"status"`
	SIPStatus        *int           `json:"sipStatus"`
	RTMPURL          *string        `json:"rtmpUrl"`
	RTMPStream       *string        `json:"rtmpStream"`
	StreamName       *string        `json:"streamName"`
	RTMPStreamStatus *string        `json:"rtmpStreamStatus"`
	Caller           *string        `json:"caller"`
	Callee           *string        `json:"callee"`
	HasAudio         bool           `json:"hasAudio"`
	HasVideo         bool           `json:"hasVideo"`
	SDP              *string        `json:"sdp"`
	VisibleName      *string        `json:"visibleName"`
	InviteParameters map[string]any `json:"inviteParameters"`
	MediaProvider    *string        `json:"mediaProvider"`
	SIPMessageRaw    *string        `json:"sipMessageRaw"`
	IsMsrp           bool           `json:"isMsrp"`
	Target           *string        `json:"target"`
	HoldForTransfer  bool           `json:"holdForTransfer"`
	Reason           *string        `json:"reason"`
	RTMPGapFill      *string        `json:"rtmpGapFill"`
}

// Str returns a pointer to s, or nil for "": the call object's way of saying "unknown".
func Str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Int returns a pointer to n, or nil for 0.
func Int(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

// Clone returns a deep enough copy for another goroutine to read while the owner changes its own.
func (c Call) Clone() Call {
	out := c
	if c.Custom != nil {
		out.Custom = make(map[string]any, len(c.Custom))
		for k, v := range c.Custom {
			out.Custom[k] = v
		}
	}
	return out
}
