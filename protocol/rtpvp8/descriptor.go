package rtpvp8

// Bits of the VP8 payload descriptor (RFC 7741 §4.2).
const (
	descX = 0x80 // extended control bits present
	descN = 0x20 // non-reference frame
	descS = 0x10 // start of a VP8 partition
	// descPID is the partition index; a frame starts at S=1, PID=0.
	descPID = 0x07

	extI = 0x80 // PictureID present
	extL = 0x40 // TL0PICIDX present
	extT = 0x20 // TID present
	extK = 0x10 // KEYIDX present

	pictureIDLong = 0x80 // M: the PictureID has 15 bits
)

// Descriptor is the part of the payload descriptor the depacketizer needs.
type Descriptor struct {
	// Start is true on the first packet of a frame (S=1 and PID=0).
	Start bool
	// NonReference: no other frame is predicted from this one (N=1).
	NonReference bool
	// PictureID is the picture ID, -1 when absent.
	PictureID int
	// Size is the descriptor's length: the VP8 payload follows it.
	Size int
}

// ParseDescriptor reads the payload descriptor at the head of an RTP payload.
// It fails with ErrMalformed when the payload ends inside the descriptor or
// carries no VP8 data after it.
func ParseDescriptor(b []byte) (Descriptor, error) {
	d := Descriptor{PictureID: -1}
	if len(b) < 1 {
		return d, ErrMalformed
	}
	d.Start = b[0]&descS != 0 && b[0]&descPID == 0
	d.NonReference = b[0]&descN != 0
	n := 1
	if b[0]&descX != 0 {
		if len(b) < 2 {
			return d, ErrMalformed
		}
		ext := b[1]
		n = 2
		if ext&extI != 0 {
			if len(b) < n+1 {
				return d, ErrMalformed
			}
			if b[n]&pictureIDLong != 0 {
				if len(b) < n+2 {
					return d, ErrMalformed
				}
				d.PictureID = int(b[n]&0x7f)<<8 | int(b[n+1])
				n += 2
			} else {
				d.PictureID = int(b[n])
				n++
			}
		}
		if ext&extL != 0 {
			n++
		}
		if ext&(extT|extK) != 0 {
			n++
		}
	}
	if len(b) <= n {
		return d, ErrMalformed
	}
	d.Size = n
	return d, nil
}
