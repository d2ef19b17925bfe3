package rtph264

import "errors"

var (
	// ErrFragmentLost: a packet of an FU-A fragmented NAL unit went missing
	// (sequence gap, or the fragment was cut off by a new timestamp or the
	// marker), so that NAL unit was dropped. Depacketizing goes on with the
	// next packets; callers typically ask the sender for a key frame.
	ErrFragmentLost = errors.New("rtph264: fragment lost, NAL unit dropped")
	// ErrAUTooBig: the access unit grew past MaxAUSize bytes or MaxAUNALs
	// NAL units. The whole access unit is dropped; packets carrying its
	// timestamp are ignored until it ends.
	ErrAUTooBig = errors.New("rtph264: access unit too big")
	// ErrUnsupportedPacketization: the packet is a STAP-B, MTAP16, MTAP24 or
	// FU-B, which belong to the interleaved mode this receiver never offers.
	ErrUnsupportedPacketization = errors.New("rtph264: unsupported packetization (interleaved mode)")
	// ErrMalformed: the payload is structurally broken (a truncated STAP-A
	// length, an empty aggregated NAL unit, an FU-A without its header).
	ErrMalformed = errors.New("rtph264: malformed payload")
)

var (
	// ErrBadSPS: a sequence parameter set that does not parse, or announces values out of range
	// (see CheckSPS). The access unit carrying it is dropped; callers ask for a key frame.
	ErrBadSPS = errors.New("rtph264: invalid SPS")
	// ErrBadPPS: a picture parameter set that is truncated or out of range (see CheckPPS).
	ErrBadPPS = errors.New("rtph264: invalid PPS")
)
