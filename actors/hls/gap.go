package hls

import (
	"net/http"
	"path"
)

// gapFile is the one URI gohlslib gives the seven EXT-X-GAP segments that open every
// Low-Latency media playlist (iOS wants that many segments before it starts), and which it
// does not serve. A player that honours EXT-X-GAP never asks for it; Chromium's native HLS
// does, and a 404 there ends playback (DEMUXER_ERROR_COULD_NOT_PARSE). The gaps leave the
// playlist only as real segments push them out, about SegmentCount seconds after the muxer
// starts, so a browser that opened the stream in those first seconds got no picture.
const gapFile = "gap.mp4"

// isGap reports whether r asks for a gap segment.
func isGap(r *http.Request) bool {
	return path.Base(r.URL.Path) == gapFile
}

// serveGap answers a gap segment with what it holds: no media. An empty fMP4 body appends
// nothing, and the player goes on to the next segment.
func serveGap(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "video/mp4")
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}
