package rtpvp8

// keyFrameStartCode follows the 3-byte frame tag of a key frame (RFC 6386
// §9.1), before the 14-bit width and height.
var keyFrameStartCode = [3]byte{0x9d, 0x01, 0x2a}

// MaxPictureSide bounds the width and height a key frame may announce (14 bits allow 16383):
// the decoder would allocate pictures of that size, and no SIP device sends more than 4K.
const MaxPictureSide = 8192

// keyHeaderSize is the frame tag, the start code, and width and height.
const keyHeaderSize = 10

// IsKeyFrame reports whether a VP8 frame (the payload after the descriptor of
// its first packet) is a key frame: the frame tag's P bit is 0 (RFC 6386
// §9.1, RFC 7741 §4.3).
func IsKeyFrame(frame []byte) bool {
	return len(frame) > 0 && frame[0]&0x01 == 0
}

// KeyFrameSize returns the picture size a key frame announces. It fails with
// ErrMalformed when frame is not a complete key frame header.
func KeyFrameSize(frame []byte) (width, height int, err error) {
	if !IsKeyFrame(frame) || len(frame) < keyHeaderSize || [3]byte(frame[3:6]) != keyFrameStartCode {
		return 0, 0, ErrMalformed
	}
	// 14 bits of size, then 2 bits of scaling that only hint at upscaling.
	width = int(frame[6]) | int(frame[7]&0x3f)<<8
	height = int(frame[8]) | int(frame[9]&0x3f)<<8
	if width == 0 || height == 0 || width > MaxPictureSide || height > MaxPictureSide {
		return 0, 0, ErrMalformed
	}
	return width, height, nil
}
