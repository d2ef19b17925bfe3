package rtpopus

import "time"

// ClockRate is the RTP clock of Opus, fixed by RFC 7587 §4.1.
const ClockRate = 48000

// MaxPacketSamples is the longest an Opus packet may last: 120 ms
// (RFC 6716 §3.2.5).
const MaxPacketSamples = ClockRate * 120 / 1000

// frameSamples is each configuration's frame duration in 48 kHz samples
// (RFC 6716 Table 2): SILK-only 10/20/40/60 ms, hybrid 10/20 ms, CELT-only
// 2.5/5/10/20 ms.
var frameSamples = [32]int{
	480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, // SILK NB, MB, WB
	480, 960, 480, 960, // hybrid SWB, FB
	120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, // CELT NB..FB
}

// Info is what the TOC byte says about a packet.
type Info struct {
	// Samples is the packet's duration in 48 kHz samples.
	Samples int
	// Frames is the number of Opus frames in the packet.
	Frames int
	// Stereo is the TOC's stereo flag.
	Stereo bool
}

// Duration is the packet's duration.
func (i Info) Duration() time.Duration {
	return time.Duration(i.Samples) * time.Second / ClockRate
}

// Parse reads the TOC byte (and for code 3 the frame count byte) of an Opus
// packet. It does not check the frame lengths: the decoder does, and a
// packet it rejects is then concealed like a lost one.
func Parse(b []byte) (Info, error) {
	if len(b) == 0 {
		return Info{}, ErrMalformed
	}
	toc := b[0]
	info := Info{Stereo: toc&0x04 != 0}
	switch toc & 0x03 {
	case 0:
		info.Frames = 1
	case 1, 2:
		info.Frames = 2
	case 3:
		if len(b) < 2 {
			return Info{}, ErrMalformed
		}
		info.Frames = int(b[1] & 0x3f)
	}
	info.Samples = info.Frames * frameSamples[toc>>3]
	if info.Frames == 0 || info.Samples > MaxPacketSamples {
		return Info{}, ErrMalformed
	}
	return info, nil
}
