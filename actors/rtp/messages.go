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

// Self-messages from the goroutines and timers the actor owns.
type (
	// packetRead is one datagram of the RTP socket (reader.go cuts them from an arena).
	packetRead struct {
		buf     []byte
		arrival time.Time
		from    *net.UDPAddr // nil: the same source as the previous datagram's
	}
	// rtcpRead is one datagram of the RTCP socket.
	rtcpRead struct {
		buf  []byte
		from *net.UDPAddr // the device's RTCP source, for symmetric latching
	}
	// readFailed: a socket read failed while the sockets were open.
	readFailed struct {
		rtcp bool
		err  error
	}
	// reportTick drives receiver reports and keyframe retries, every keyframeRetry.
	reportTick struct{}
	// jitterTick: a gap in the jitter buffer has waited long enough to be given up.
	jitterTick struct{}
	// silenceTick paces the silence sender; dtmfTick the telephone events. gen tells a tick
	// of the current sender from a late one of a stopped sender.
	silenceTick struct{ gen int }
	dtmfTick    struct{ gen int }
)

// Peer tells the actor about the device's side of its line, as the latest SDP exchange left it:
// where to send, what to expect, what to send. The call sends it after the answer and after
// every re-INVITE or UPDATE; each one restarts the media-timeout clock.
type Peer struct {
	// RTP and RTCP are the device's addresses from the SDP; nil when it gave none (0.0.0.0).
	RTP, RTCP *net.UDPAddr
	// Receives: the device will send on this line (its sendrecv or sendonly), so its silence
	// counts towards the media timeout.
	Receives bool
	// Silence: send a silence packet every 20 ms to RTP, in SilenceCodec ("PCMU", "PCMA" or
	// "OPUS") with payload type SilencePT, as a sendrecv line the device listens on should carry:
	// softphones hang up on a silent line. On a video line ("H264" or "VP8"): a black keyframe
	// every 500 ms.
	Silence      bool
	SilenceCodec string
	SilencePT    uint8
	// TelephoneEvent is the RFC 4733 payload type the device may send digits with; -1 for none.
	TelephoneEvent int
	// Latch: symmetric RTP. Send to where the device's packets come from rather than to the SDP's
	// address (a device behind NAT states an address nobody can reach).
	Latch bool
	// Timeout is how long the device may send neither RTP nor RTCP once it started; StartTimeout
	// how long it may take to start. 0 disables.
	Timeout, StartTimeout time.Duration
}

// MediaTimedOut is sent to the parent once when a line the device should send on has been
// silent (no RTP, no RTCP) for the Peer's timeout, or never started within StartTimeout.
type MediaTimedOut struct {
	Kind    Kind
	Silence time.Duration
	Started bool // whether the device had sent anything on the line
}

// MediaResumed is sent to the parent when a line that timed out hears from the device again.
type MediaResumed struct {
	Kind Kind
}

// Latched is sent to the parent when symmetric RTP takes the device's real address.
type Latched struct {
	Kind Kind
	RTP  *net.UDPAddr
}

// DTMFReceived is sent to the parent for every RFC 4733 digit the device sends, once, when its
// event ends (or the next one begins).
type DTMFReceived struct {
	Digit    byte
	Duration time.Duration
}

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
