package rtp

import (
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"

	"github.com/sipcast/sipcast/media/frame"
)

// reportFormat tells the parent the picture size when a new SPS arrives, so a push can say how
// big its stream is. An SPS that does not parse is left unreported: the stream still flows.
func (a *Actor) reportFormat(sps []byte) {
	if sps == nil || string(sps) == string(a.lastSPS) || a.parent == nil {
		return
	}
	a.lastSPS = sps
	var s h264.SPS
	if err := s.Unmarshal(sps); err != nil {
		return
	}
	a.system.Root.Send(a.parent, &frame.VideoFormat{Width: s.Width(), Height: s.Height()})
}
