package viewer

import (
	"github.com/sipcast/sipcast/actors/rtp"
)

// Describe asks a hub what its call carries; the answer is a Description.
type Describe struct{}

// Description is a call's media as viewers can get it. Audio or Video is nil when the call has
// no such line (or its codec is not known yet).
type Description struct {
	Stream       string
	Audio, Video *rtp.Source
	Viewers      int
}

// AddViewer asks a hub to start sending its stream to Sink; the answer is an AddViewerResponse.
type AddViewer struct {
	Sink *Sink
	// Audio is true when the viewer takes the audio line: a Speex call's audio is transcoded
	// while at least one viewer does.
	Audio bool
}

// AddViewerResponse answers AddViewer; Err is playback.ErrTooManyViewers past the limit.
type AddViewerResponse struct {
	Err error
}

// ViewerConnected tells the hub that a viewer's connection is up, so packets reach its browser
// from now on (before DTLS and SRTP are ready, pion drops what is written). The hub starts the
// viewer's stream at the next key frame and asks the device for one then: a key frame asked for
// when the viewer joined would arrive, and be lost, before the browser could take it.
type ViewerConnected struct {
	ID string
}

// RemoveViewer ends a viewer (its session closed); the hub closes its sink.
type RemoveViewer struct {
	ID string
}

// KeyframeWanted is a viewer's request for a key frame (its browser sent PLI or FIR). The hub
// asks the device, at most once per KeyframeInterval for all its viewers together.
type KeyframeWanted struct{}
