package rtph264

import (
	"errors"
	"fmt"
)

// FU-A header bits (RFC 6184 §5.8).
const (
	fuStart = 0x80
	fuEnd   = 0x40
)

// consumeFUA adds one fragment of a NAL unit. The NAL unit header is rebuilt
// from the F and NRI bits of the FU indicator and the type of the FU header.
// A fragment with both start and end bits set is forbidden by the RFC but
// unambiguous, so it is taken as a whole NAL unit.
func (d *Depacketizer) consumeFUA(p []byte) error {
	if len(p) < 2 {
		return fmt.Errorf("%w: FU-A of %d bytes", ErrMalformed, len(p))
	}
	indicator, header, data := p[0], p[1], p[2:]
	start, end := header&fuStart != 0, header&fuEnd != 0

	var err error
	switch {
	case start:
		if d.inFrag {
			err = d.loseFragment() // its end never came
		}
		d.skipFrag = false
		if len(d.buf) >= MaxAUSize {
			d.overflow()
			return errors.Join(err, ErrAUTooBig)
		}
		d.buf = append(d.buf, indicator&0xe0|header&0x1f)
		d.inFrag = true
	case !d.inFrag:
		// A middle or end fragment whose head we never saw: report the loss
		// once per NAL unit. After its end fragment, the next fragment
		// belongs to another NAL unit and is reported afresh.
		report := !d.skipFrag
		d.skipFrag = !end
		if report {
			return ErrFragmentLost
		}
		return nil
	}

	if len(d.buf)+len(data) > MaxAUSize {
		d.overflow()
		return errors.Join(err, ErrAUTooBig)
	}
	d.buf = append(d.buf, data...)

	if !end {
		return err
	}
	d.inFrag = false
	if len(d.ends) >= MaxAUNALs {
		d.overflow()
		return errors.Join(err, ErrAUTooBig)
	}
	d.ends = append(d.ends, len(d.buf)) // the reassembled unit is complete
	return err
}
