package device

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/sipcast/sipcast/demo/clip"
)

// RTP constants of what the device sends.
const (
	videoClockRate = 90000 // H.264 RTP clock, RFC 6184
	audioClockRate = 8000  // PCMU
	audioPTime     = 20 * time.Millisecond
	// audioFrameBytes is one 20 ms packet of 8 kHz µ-law: one byte per sample.
	audioFrameBytes = audioClockRate * int(audioPTime/time.Millisecond) / 1000
	rtpHeaderLen    = 12
	payloadTypePCMU = 0
)

// H.264 NAL unit types found in the capture's RTP payloads (RFC 6184).
const (
	naluSPS   = 7
	naluPPS   = 8
	naluSTAPA = 24
)

// capPacket is one RTP packet of the capture, ready to be replayed.
type capPacket struct {
	at  time.Duration // send time from the start of a loop
	ts  uint32        // RTP timestamp from the capture's first one
	raw []byte        // the whole RTP packet; never modified
}

// capture is the H.264 RTP capture the device replays, parsed once.
type capture struct {
	pkts []capPacket
	// periodTS is the timestamp step between loops: the capture's span plus
	// one frame interval, so the first frame of a loop follows the last one
	// of the previous loop like any other frame.
	periodTS uint32
	// period is periodTS as a duration: loops are paced by the timestamps,
	// so send times and RTP time never drift apart.
	period time.Duration
	// fmtp is the answer's fmtp for the stream: packetization-mode=1 and the
	// profile-level-id and sprop-parameter-sets of its SPS/PPS.
	fmtp string
}

var (
	captureOnce sync.Once
	theCapture  *capture
	captureErr  error
)

// loadCapture parses the embedded capture (once per process: the packets
// are shared read-only by every call).
func loadCapture() (*capture, error) {
	captureOnce.Do(func() {
		theCapture, captureErr = parseCapture(clip.H264PCAP())
	})
	return theCapture, captureErr
}

func parseCapture(pcap []byte) (*capture, error) {
	pkts, err := clip.ParsePCAP(pcap)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCapture, err)
	}
	c := &capture{}
	var first uint32
	var frame uint32 // smallest timestamp step seen: the frame interval
	var sps, pps []byte
	for i, p := range pkts {
		var h rtp.Header
		n, err := h.Unmarshal(p.Payload)
		if err != nil || n >= len(p.Payload) {
			continue // not RTP, or no payload: nothing to replay
		}
		if len(c.pkts) == 0 {
			first = h.Timestamp
		} else if d := h.Timestamp - first - c.pkts[len(c.pkts)-1].ts; d > 0 && d < videoClockRate && (frame == 0 || d < frame) {
			frame = d
		}
		c.pkts = append(c.pkts, capPacket{at: p.Time, ts: h.Timestamp - first, raw: pkts[i].Payload})
		s, q := parameterSets(p.Payload[n:])
		if sps == nil && s != nil {
			sps = s
		}
		if pps == nil && q != nil {
			pps = q
		}
	}
	if len(c.pkts) == 0 || frame == 0 || len(sps) < 4 || pps == nil {
		return nil, fmt.Errorf("%w: %d packets, frame interval %d, SPS %d bytes", ErrBadCapture, len(c.pkts), frame, len(sps))
	}
	c.periodTS = c.pkts[len(c.pkts)-1].ts + frame
	c.period = time.Duration(c.periodTS) * time.Second / videoClockRate
	c.fmtp = fmt.Sprintf("packetization-mode=1;profile-level-id=%02x%02x%02x;sprop-parameter-sets=%s,%s",
		sps[1], sps[2], sps[3],
		base64.StdEncoding.EncodeToString(sps), base64.StdEncoding.EncodeToString(pps))
	return c, nil
}

// parameterSets returns the SPS and PPS carried whole in an RTP payload: as a
// single NAL unit packet or inside a STAP-A.
func parameterSets(payload []byte) (sps, pps []byte) {
	pick := func(nalu []byte) {
		switch nalu[0] & 0x1f {
		case naluSPS:
			sps = nalu
		case naluPPS:
			pps = nalu
		}
	}
	if len(payload) == 0 {
		return nil, nil
	}
	if payload[0]&0x1f != naluSTAPA {
		pick(payload)
		return sps, pps
	}
	for rest := payload[1:]; len(rest) >= 2; {
		size := int(binary.BigEndian.Uint16(rest))
		rest = rest[2:]
		if size == 0 || size > len(rest) {
			break
		}
		pick(rest[:size])
		rest = rest[size:]
	}
	return sps, pps
}

// toneFrames cuts the embedded µ-law tone into 20 ms payloads.
func toneFrames() [][]byte {
	tone := clip.ToneUlaw()
	frames := make([][]byte, 0, len(tone)/audioFrameBytes)
	for off := 0; off+audioFrameBytes <= len(tone); off += audioFrameBytes {
		frames = append(frames, tone[off:off+audioFrameBytes])
	}
	return frames
}
