package rtp

import (
	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/protocol/rtph264"
)

// reportFormat tells the parent the picture size when a new SPS arrives, so a push can say how
// big its stream is. Frames carry only SPSs the video pipe checked; one that fails here anyway
// is left unreported.
func (a *Actor) reportFormat(sps []byte) {
	if sps == nil || string(sps) == string(a.lastSPS) || a.parent == nil {
		return
	}
	a.lastSPS = sps
	p, err := rtph264.CheckSPS(sps)
	if err != nil {
		return
	}
	a.system.Root.Send(a.parent, &frame.VideoFormat{Width: p.Width, Height: p.Height})
}
