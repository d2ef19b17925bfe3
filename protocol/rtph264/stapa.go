package rtph264

import (
	"encoding/binary"
	"fmt"
)

// stapLenSize is the size of the length prefix of each NAL unit in a STAP-A.
const stapLenSize = 2

// consumeSTAPA splits a single-time aggregation packet (RFC 6184 §5.7.1):
// after the one-byte STAP-A header, a sequence of 16-bit big-endian sizes
// each followed by that many bytes of NAL unit. The whole aggregate is
// checked before anything is added, so a truncated one adds nothing.
func (d *Depacketizer) consumeSTAPA(p []byte) error {
	body := p[1:]
	if len(body) == 0 {
		return fmt.Errorf("%w: empty STAP-A", ErrMalformed)
	}
	for rest := body; len(rest) > 0; {
		if len(rest) < stapLenSize {
			return fmt.Errorf("%w: STAP-A truncated in a length field", ErrMalformed)
		}
		size := int(binary.BigEndian.Uint16(rest))
		rest = rest[stapLenSize:]
		if size == 0 || size > len(rest) {
			return fmt.Errorf("%w: STAP-A NAL unit of %d bytes with %d left", ErrMalformed, size, len(rest))
		}
		rest = rest[size:]
	}
	for rest := body; len(rest) > 0; {
		size := int(binary.BigEndian.Uint16(rest))
		if err := d.appendNAL(rest[stapLenSize : stapLenSize+size]); err != nil {
			return err
		}
		rest = rest[stapLenSize+size:]
	}
	return nil
}
