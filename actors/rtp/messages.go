package rtp

import (
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/media/clock"
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/dtmf"
)

// Configure tells the actor what the SDP answer negotiated. Packets that arrive before it are
// dropped: without the payload type there is no knowing what they are.
type Configure struct {
	// Codec is the negotiated encoding name, upper-case: "H264", "VP8", "PCMU", "PCMA", "SPEEX"
	// or "OPUS".
	Codec       string
	PayloadType uint8
	ClockRate   uint32
	// SPS/PPS from sprop-parameter-sets, when the answer had them.
	SPS, PPS []byte
	// RemoteRTCP is where receiver reports and keyframe requests go.
	RemoteRTCP *net.UDPAddr
	// FIR: the answer accepted "ccm fir", so FIR is sent along with PLI.
	FIR bool
	// Zero is the call's timeline origin (the answer's arrival).
	Zero time.Time
	// Output is the audio codec the RTMP side wants: AAC transcodes; G.711 or Speex pass the
	// device's audio through when it matches (else AAC).
	Output frame.AudioCodec
	// Channels of the codec (opus/48000/2 says 2); 0 means 1.
	Channels int
	// NACK: the answer accepted "nack", so lost video packets are asked for again.
	NACK bool
	// Sync places the line on the call's timeline by the device's RTCP sender reports; it is
	// shared by the call's audio and video lines (nil: arrival-based only).
	Sync *clock.SyncGroup
	// Transcoder receives the depacketised frames of a codec RTMP cannot carry (VP8, Opus,
	// Speex into AAC) instead of the subscribers.
	Transcoder *actor.PID
	// AACRate is the rate of the AAC G.711 is encoded to; 0 keeps the actor's own (Config).
	// A re-INVITE that moves the line to G.711 sets it to the rate of the call's AAC track,
	// which must not change while the RTMP stream is up.
	AACRate int
}

// MediaStarted is sent to the parent once, when the first packet of the negotiated payload
// type arrives.
type MediaStarted struct {
	Kind Kind
}

// ForcePanic makes the actor panic inside Receive. It exists for fault-injection tests that
// prove one call's crash stays inside that call's supervision tree.
type ForcePanic struct{}

// Self-messages from the goroutines the actor owns.
type (
	packetRead struct {
		buf     []byte
		arrival time.Time
		from    *net.UDPAddr
	}
	rtcpRead struct {
		buf  []byte
		from *net.UDPAddr // the device's RTCP source, for symmetric latching
	}
	readFailed struct {
		rtcp bool
		err  error
	}
	reportTick struct{}
	dtmfTick   struct{ gen int }
)

// SendDTMF asks the audio actor to play digits as RFC 4733 telephone events, from its RTP socket
// and with its SSRC, to Remote. SendDTMFResponse answers once the last end packet is out; the
// digits of a later request wait for those of an earlier one.
type SendDTMF struct {
	Digits      string // dtmf.Normalize'd
	PayloadType uint8  // the telephone-event type of the callee's answer
	ClockRate   uint32 // of the telephone-event format; 0 means 8000
	Remote      *net.UDPAddr
	// Timing is how the digits are played; zero means dtmf.DefaultTiming().
	Timing dtmf.Timing
}

// SendDTMFResponse answers SendDTMF; Error is empty when every packet was sent.
type SendDTMFResponse struct {
	Error string
}

// Subscribe asks an RTP actor (or a transcoder after it) to send its frames to these
// subscribers, replacing the list.
type Subscribe struct {
	Subscribers []*actor.PID
}
