package rtmpserver

import (
	"fmt"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
)

// StreamStats describes one app/stream. Counters restart with each publication.
type StreamStats struct {
	Publishing  bool     // a publisher holds the name
	Tracks      []string // codecs of the publication, e.g. ["H264", "MPEG-4 Audio"]; empty until analysed
	VideoFrames uint64   // video access units received from the publisher
	AudioFrames uint64   // audio frames received from the publisher
	Bytes       uint64   // bytes received on the publisher's connection
	Players     int      // players attached (including those waiting for a keyframe)
	Dropped     uint64   // frames that found a player's queue full (the player then skips to the next keyframe)
}

// Stats reports on app/stream; false when nobody publishes or plays it.
func (s *Server) Stats(app, stream string) (StreamStats, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[app+"/"+stream]
	if st == nil {
		return StreamStats{}, false
	}
	ss := StreamStats{
		Publishing:  st.publishing,
		Tracks:      codecNames(st.tracks),
		VideoFrames: st.videoFrames,
		AudioFrames: st.audioFrames,
		Players:     len(st.players),
		Dropped:     st.dropped,
	}
	if st.bytes != nil {
		ss.Bytes = st.bytes()
	}
	return ss, true
}

func codecNames(tracks []*gortmplib.Track) []string {
	names := make([]string, 0, len(tracks))
	for _, t := range tracks {
		names = append(names, codecName(t.Codec))
	}
	return names
}

func codecName(c codecs.Codec) string {
	switch c := c.(type) {
	case *codecs.H264:
		return "H264"
	case *codecs.H265:
		return "H265"
	case *codecs.MPEG4Audio:
		return "MPEG-4 Audio"
	case *codecs.G711:
		if c.MULaw {
			return "PCMU"
		}
		return "PCMA"
	case *codecs.Opus:
		return "Opus"
	default:
		return fmt.Sprintf("%T", c)
	}
}
