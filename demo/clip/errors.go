package clip

import "errors"

var (
	// ErrNotPCAP is returned when the input does not start with a classic
	// libpcap file header (pcapng is not supported).
	ErrNotPCAP = errors.New("testmedia: not a pcap file")
	// ErrLinkType is returned for a capture whose link type the reader does
	// not decode (supported: Ethernet, Linux cooked v1/v2, raw IPv4).
	ErrLinkType = errors.New("testmedia: unsupported pcap link type")
	// ErrTruncated is returned when the file ends inside a record, or when a
	// UDP packet was captured shorter than it was on the wire (the snap
	// length cut it): replaying a cut RTP packet would corrupt the media.
	ErrTruncated = errors.New("testmedia: truncated pcap")
)
