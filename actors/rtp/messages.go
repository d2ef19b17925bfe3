package rtp

import (
	"net"
	"time"

	"github.com/sipcast/sipcast/actors/stream"
)

// Configure tells the actor what the SDP answer negotiated. Packets that arrive before it are
// dropped: without the payload type there is no knowing what they are.
type Configure struct {
	// Codec is the negotiated encoding name: "H264", "PCMU" or "PCMA".
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
	Output stream.AudioCodec
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
		buf []byte
	}
	readFailed struct {
		rtcp bool
		err  error
	}
	reportTick struct{}
)
