package call

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/internal/sipua"
	"github.com/sipcast/sipcast/protocol/sdp"
)

// sdpDialog is the SDP side of the dialog, decided without I/O: our first offer's constants, the
// last SDP we sent and its o= version, and the codec each line receives. It answers the callee's
// re-offers and says which line moves to another codec; the actor reconfigures the media.
type sdpDialog struct {
	offer   sdp.Offer // our first offer: session id, ports, SSRCs
	local   []byte    // the last SDP we sent
	version uint64    // its o= version
	zero    time.Time // the call's timeline origin, for reconfigured media
	// audioPT and videoPT are the payload types the RTP actors receive; -1 for none. audioCodec
	// and videoCodec are their codecs (codecKey): a device may rebind a number to another codec.
	audioPT, videoPT       int
	audioCodec, videoCodec string
}

// offered records our first offer, sent in the INVITE.
func (d *sdpDialog) offered(o sdp.Offer, body []byte) { d.offer, d.local = o, body }

// answered records what the callee's 2xx answer put on each line, received at at.
func (d *sdpDialog) answered(ans *sdp.Answer, at time.Time) {
	d.zero, d.version = at, d.offer.SessionVersion
	d.audioPT, d.videoPT, d.audioCodec, d.videoCodec = -1, -1, "", ""
	if c, ok := chosen(ans.Audio, false); ok {
		d.audioPT, d.audioCodec = int(c.PayloadType), codecKey(c)
	}
	if c, ok := chosen(ans.Video, true); ok {
		d.videoPT, d.videoCodec = int(c.PayloadType), codecKey(c)
	}
}

// answerTargetRefresh decides the answer to the callee's re-INVITE or UPDATE: the session
// timer's headers (or its refusal), and for an offer our SDP answer and what it negotiated,
// taking the codecs the call can receive on each line now; a re-INVITE without SDP gets our
// current SDP as an offer, answered in the ACK. err says why an offer got 488.
func answerTargetRefresh(st *sessionTimer, d *sdpDialog, req *sipua.Request, audio, video []string) (sipua.Response, *sdp.Negotiated, error) {
	timerHdrs, refusal := st.peer(req)
	if refusal != nil {
		return *refusal, nil, nil
	}
	res := sipua.Response{Code: 200, Headers: timerHdrs}
	switch {
	case len(req.Body) > 0:
		body, neg, err := d.answer(req.Body, audio, video)
		if err != nil {
			return sipua.Response{Code: 488, Reason: "Not Acceptable Here"}, nil, err
		}
		res.Body = body
		return res, neg, nil
	case req.Method == "INVITE":
		res.Body = d.local
	}
	return res, nil, nil
}

// answer builds our answer to an offer of the callee. The o= version goes up only when the
// answer differs from the last SDP we sent (RFC 3264 §8).
func (d *sdpDialog) answer(offer []byte, audio, video []string) ([]byte, *sdp.Negotiated, error) {
	o := d.offer
	l := sdp.Local{Origin: o.Origin, SessionID: o.SessionID, SessionVersion: d.version + 1, LocalIP: o.LocalIP,
		AudioPort: o.AudioPort, VideoPort: o.VideoPort, AudioSend: o.AudioSendRecv, VideoSend: o.VideoSendRecv,
		AudioSSRC: o.AudioSSRC, VideoSSRC: o.VideoSSRC, CName: o.CName, Audio: audio, Video: video,
		AudioCurrent: d.audioPT, VideoCurrent: d.videoPT}
	body, neg, err := sdp.AnswerOffer(offer, l)
	if err != nil {
		return nil, nil, err
	}
	if sameSDP(body, d.local) {
		l.SessionVersion = d.version
		if body, neg, err = sdp.AnswerOffer(offer, l); err != nil {
			return nil, nil, err
		}
	} else {
		d.version++
	}
	d.local = body
	return body, neg, nil
}

// sameSDP compares two SDPs but for their o= lines.
func sameSDP(x, y []byte) bool {
	strip := func(b []byte) []byte {
		var out []byte
		for line := range bytes.Lines(b) {
			if !bytes.HasPrefix(line, []byte("o=")) {
				out = append(out, line...)
			}
		}
		return out
	}
	return bytes.Equal(strip(x), strip(y))
}

// dialogAnswer reads the callee's answer to an offer of ours made in the dialog (our refresh's
// re-INVITE, or our 2xx to its offerless re-INVITE): the call is on hold when no line asks us
// to send.
func dialogAnswer(body []byte) (*sdp.Negotiated, error) {
	ans, err := sdp.ParseAnswer(body)
	if err != nil {
		return nil, err
	}
	neg := &sdp.Negotiated{Audio: ans.Audio, Video: ans.Video, Hold: true}
	for _, m := range []*sdp.Media{ans.Audio, ans.Video} {
		if m != nil && sdp.Held(m) == "" {
			neg.Hold = false
		}
	}
	return neg, nil
}

// change reports the payload type and codec (codecKey) a line moves to after an exchange
// whose side of the line is m: the first of names among its codecs, when it is not what the
// line receives now. follow records it once the media are told.
func (d *sdpDialog) change(kind rtp.Kind, m *sdp.Media, names []string) (pt int, key string, ok bool) {
	pt, key = firstPT(m, names...)
	curPT, curKey := d.audioPT, d.audioCodec
	if kind == rtp.Video {
		curPT, curKey = d.videoPT, d.videoCodec
	}
	return pt, key, pt >= 0 && (pt != curPT || key != curKey)
}

// follow records that a line now receives pt, codec key.
func (d *sdpDialog) follow(kind rtp.Kind, pt int, key string) {
	if kind == rtp.Video {
		d.videoPT, d.videoCodec = pt, key
		return
	}
	d.audioPT, d.audioCodec = pt, key
}

// firstPT is the payload type and codec (codecKey) a line receives after an exchange: the first
// of the answer's codecs among names; -1 for none.
func firstPT(m *sdp.Media, names ...string) (int, string) {
	if m == nil {
		return -1, ""
	}
	if c, ok := m.First(names...); ok {
		return int(c.PayloadType), codecKey(c)
	}
	return -1, ""
}

// codecKey names a codec with its clock rate: Speex at 8 and at 16 kHz are two codecs.
func codecKey(c sdp.Codec) string {
	return strings.ToUpper(c.Name) + "/" + strconv.Itoa(int(c.ClockRate))
}
