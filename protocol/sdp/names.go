package sdp

// Encoding names of the codecs the gateway handles, as Codec.Name holds them: the parser
// upper-cases a=rtpmap's names (RFC 4855 §3: they compare case-insensitively), so code compares
// against these and never against a literal that could differ in case.
const (
	NamePCMU  = "PCMU"
	NamePCMA  = "PCMA"
	NameG722  = "G722"
	NameSpeex = "SPEEX"
	NameOpus  = "OPUS"
	NameH264  = "H264"
	NameVP8   = "VP8"
	// NameTelephoneEvent is RFC 4733's name as peers write it (lower-case); compare it with
	// strings.EqualFold.
	NameTelephoneEvent = "telephone-event"
)

// MaxMediaLines bounds the m= lines of one SDP. A call uses one audio and one video line; an
// offer with a few more (a second video, an application line) is still real, hundreds are an
// attack on the per-line parsing both the answer and the re-offer paths do.
const MaxMediaLines = 2 * MaxCodecs
