package rtmpserver

import (
	"time"

	"github.com/bluenviron/gortmplib"
)

// frame is one access unit (video) or audio packet of a publication, shared
// read-only by every player it is queued for.
type frame struct {
	track int           // index into the publication's tracks
	pts   time.Duration // presentation time
	dts   time.Duration // decoding time (video only; audio uses pts)
	au    [][]byte      // video NAL units
	data  []byte        // audio payload
}

// item is what a player's queue carries: either new tracks to (re)start its
// Writer with, or a frame.
type item struct {
	tracks []*gortmplib.Track
	frame  frame
}

// stream is one app/stream name: at most one publisher and any number of
// players. Every field is guarded by Server.mu (see streams.go); the fan-out
// takes that lock once per frame, which is cheap next to the socket writes the
// players do on their own goroutines.
type stream struct {
	key string

	publishing bool
	// tracks are the publication's tracks, nil until the publisher's Reader has
	// found them. A parameter-set change replaces one element with a new Track:
	// the slices handed to players are never modified.
	tracks   []*gortmplib.Track
	hasVideo bool
	bytes    func() uint64 // bytes received from the publisher

	players map[*player]struct{}

	videoFrames uint64
	audioFrames uint64
	dropped     uint64
}

// setTracks installs the tracks of a publication that has just been analysed.
func (st *stream) setTracks(tracks []*gortmplib.Track) {
	st.tracks = tracks
	st.hasVideo = false
	for _, t := range tracks {
		if t.Codec.IsVideo() {
			st.hasVideo = true
		}
	}
	for p := range st.players {
		p.needInit, p.waitKey = true, true
	}
}

// replaceTrack installs new parameter sets for track i. Players must restart
// their Writer (so a new sequence header goes out) and, to be safe, wait for
// the next keyframe, which follows a parameter change in practice.
func (st *stream) replaceTrack(i int, t *gortmplib.Track) {
	next := append([]*gortmplib.Track(nil), st.tracks...)
	next[i] = t
	st.tracks = next
	for p := range st.players {
		p.needInit, p.waitKey = true, true
	}
}

// deliver counts f and offers it to every player; key says whether a video
// frame is a random-access point (ignored for audio).
func (st *stream) deliver(f frame, video, key bool) {
	if video {
		st.videoFrames++
	} else {
		st.audioFrames++
	}
	for p := range st.players {
		st.offer(p, f, video, key)
	}
}

// offer queues f for p without ever blocking the publisher. A player that is
// new, reconfigured or has overflowed waits for a keyframe (any audio frame
// when there is no video) so its decoder never sees a picture that references
// one it did not get; its Writer is (re)started just before that frame.
func (st *stream) offer(p *player, f frame, video, key bool) {
	if p.waitKey {
		startable := key // a video frame starts a player if it is a keyframe
		if !video {
			startable = !st.hasVideo // audio waits for the video to start
		}
		if !startable {
			return
		}
		if p.needInit {
			if !p.enqueue(item{tracks: st.tracks}) {
				st.dropped++
				return
			}
			p.needInit = false
		}
		p.waitKey = false
	}
	if !p.enqueue(item{frame: f}) {
		p.waitKey = true
		st.dropped++
	}
}

// endPlayers tells every player that the publication is over.
func (st *stream) endPlayers() {
	for p := range st.players {
		p.end()
		delete(st.players, p)
	}
}
