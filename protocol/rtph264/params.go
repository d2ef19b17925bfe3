package rtph264

import (
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/bits"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
)

// Limits on parameter sets. Whatever a device sends ends up in an RTMP or HLS muxer, which
// parses the SPS again (and panics on one it cannot parse) and stores each set with a 16-bit
// length: sipcast checks them first, so no muxer ever sees one it would choke on.
const (
	// MaxParamSetSize bounds an SPS or PPS: real encoders write tens of bytes, a few hundred
	// with scaling matrices and HRD parameters; an avcC record holds at most 64 KiB.
	MaxParamSetSize = 1024
	// MaxPictureSide bounds the width and height an SPS may announce: 8192 is beyond level 6.2's
	// largest frame side, and no SIP device sends more.
	MaxPictureSide = 8192
	// maxSPSID and maxPPSID are seq_parameter_set_id's and pic_parameter_set_id's ranges (H.264
	// 7.4.2.1.1, 7.4.2.2).
	maxSPSID = 31
	maxPPSID = 255
)

// Params is what a valid SPS says about the picture.
type Params struct {
	Width, Height int
}

// CheckSPS validates a sequence parameter set (a NAL unit without start code): the type, the
// size, a full parse of its syntax and a plausible picture size. Errors wrap ErrBadSPS.
//
// The parse is mediacommon's, the one the muxers run; it is guarded by a recover so that an
// input it was never meant for fails here rather than in the caller.
func CheckSPS(sps []byte) (p Params, err error) {
	switch {
	case len(sps) < 4:
		return p, fmt.Errorf("%w: %d bytes", ErrBadSPS, len(sps))
	case len(sps) > MaxParamSetSize:
		return p, fmt.Errorf("%w: %d bytes, more than %d", ErrBadSPS, len(sps), MaxParamSetSize)
	case sps[0]&0x80 != 0:
		return p, fmt.Errorf("%w: forbidden_zero_bit set", ErrBadSPS)
	case NALType(sps[0]) != NALTypeSPS:
		return p, fmt.Errorf("%w: NAL unit type %d", ErrBadSPS, NALType(sps[0]))
	}
	defer func() {
		if r := recover(); r != nil {
			p, err = Params{}, fmt.Errorf("%w: parser panicked: %v", ErrBadSPS, r)
		}
	}()
	var s h264.SPS
	if err := s.Unmarshal(sps); err != nil {
		return p, fmt.Errorf("%w: %v", ErrBadSPS, err)
	}
	switch {
	case s.ID > maxSPSID:
		return p, fmt.Errorf("%w: seq_parameter_set_id %d", ErrBadSPS, s.ID)
	case s.ChromaFormatIdc > 3 || s.BitDepthLumaMinus8 > 6 || s.BitDepthChromaMinus8 > 6:
		return p, fmt.Errorf("%w: chroma format %d, bit depth %d/%d", ErrBadSPS, s.ChromaFormatIdc,
			s.BitDepthLumaMinus8+8, s.BitDepthChromaMinus8+8)
	}
	// The size is computed in uint32 by the parser: cropping larger than the picture wraps
	// around, which shows as an absurd size here.
	w, h := s.Width(), s.Height()
	if w < 1 || h < 1 || w > MaxPictureSide || h > MaxPictureSide {
		return p, fmt.Errorf("%w: picture %dx%d", ErrBadSPS, w, h)
	}
	return Params{Width: w, Height: h}, nil
}

// CheckPPS validates a picture parameter set: the type, the size and its first two fields
// (pic_parameter_set_id, seq_parameter_set_id). The rest depends on the SPS it refers to and is
// read only by decoders, which are robust to it. Errors wrap ErrBadPPS.
func CheckPPS(pps []byte) error {
	switch {
	case len(pps) < 2:
		return fmt.Errorf("%w: %d bytes", ErrBadPPS, len(pps))
	case len(pps) > MaxParamSetSize:
		return fmt.Errorf("%w: %d bytes, more than %d", ErrBadPPS, len(pps), MaxParamSetSize)
	case pps[0]&0x80 != 0:
		return fmt.Errorf("%w: forbidden_zero_bit set", ErrBadPPS)
	case NALType(pps[0]) != NALTypePPS:
		return fmt.Errorf("%w: NAL unit type %d", ErrBadPPS, NALType(pps[0]))
	}
	body := h264.EmulationPreventionRemove(pps[1:])
	pos := 0
	id, err := bits.ReadGolombUnsigned(body, &pos)
	if err != nil || id > maxPPSID {
		return fmt.Errorf("%w: pic_parameter_set_id", ErrBadPPS)
	}
	spsID, err := bits.ReadGolombUnsigned(body, &pos)
	if err != nil || spsID > maxSPSID {
		return fmt.Errorf("%w: seq_parameter_set_id", ErrBadPPS)
	}
	return nil
}

// CheckAU validates every SPS and PPS an access unit carries in band. A unit that fails must not
// go on: a muxer would take its parameter sets as the stream's.
func CheckAU(au [][]byte) error {
	for _, nal := range au {
		if len(nal) == 0 {
			continue
		}
		switch NALType(nal[0]) {
		case NALTypeSPS:
			if _, err := CheckSPS(nal); err != nil {
				return err
			}
		case NALTypePPS:
			if err := CheckPPS(nal); err != nil {
				return err
			}
		}
	}
	return nil
}
