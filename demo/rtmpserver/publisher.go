package rtmpserver

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
)

// readerAnalyzePeriod is how much media (by timestamps) gortmplib's
// Reader.Initialize reads to find the tracks before it returns; in real time
// that is how long it blocks, so it is added to the read deadline.
const readerAnalyzePeriod = 2 * time.Second

// servePublisher relays one publication until the publisher leaves, stalls
// longer than the read timeout, or the server closes.
func (s *Server) servePublisher(conn net.Conn, sc *gortmplib.ServerConn, key string, log *slog.Logger) (err error) {
	defer func() { log.Info("rtmp publisher left", "stream", key, "err", err) }()
	st, err := s.claim(key, sc.BytesReceived)
	if err != nil {
		_ = reject(conn, sc, codePublishBadName, "stream "+key+" is already being published")
		return err
	}
	defer s.release(st)

	// Initialize answers the publish command (NetStream.Publish.Start) and then
	// reads ahead to find the tracks; what it read is replayed by Read.
	_ = conn.SetDeadline(time.Now().Add(s.readTimeout + readerAnalyzePeriod))
	r := &gortmplib.Reader{Conn: sc}
	if err := r.Initialize(); err != nil {
		return fmt.Errorf("reading tracks: %w", err)
	}
	tracks := r.Tracks()
	for i, t := range tracks {
		if err := s.listen(r, st, i, t); err != nil {
			return err
		}
	}
	s.mu.Lock()
	st.setTracks(tracks)
	s.mu.Unlock()
	log.Info("rtmp publishing", "stream", key, "tracks", codecNames(tracks))

	for {
		_ = conn.SetDeadline(time.Now().Add(s.readTimeout))
		if err := r.Read(); err != nil {
			return err
		}
	}
}

// listen registers the Reader callback of track i, which turns each access
// unit into a frame for the players. Callbacks run on the publisher's
// goroutine, inside r.Read.
func (s *Server) listen(r *gortmplib.Reader, st *stream, i int, t *gortmplib.Track) error {
	switch c := t.Codec.(type) {
	case *codecs.H264:
		cur := c
		r.OnDataH264(t, func(pts, dts time.Duration, au [][]byte) {
			next, changed, picture := h264Update(cur, au)
			if changed {
				cur = next
				s.replaceTrack(st, i, &gortmplib.Track{Codec: next})
			}
			if picture {
				s.deliver(st, frame{track: i, pts: pts, dts: dts, au: au}, true, h264.IsRandomAccess(au))
			}
		})
	case *codecs.H265:
		cur := c
		r.OnDataH265(t, func(pts, dts time.Duration, au [][]byte) {
			next, changed, picture := h265Update(cur, au)
			if changed {
				cur = next
				s.replaceTrack(st, i, &gortmplib.Track{Codec: next})
			}
			if picture {
				s.deliver(st, frame{track: i, pts: pts, dts: dts, au: au}, true, h265.IsRandomAccess(au))
			}
		})
	case *codecs.MPEG4Audio:
		r.OnDataMPEG4Audio(t, func(pts time.Duration, au []byte) {
			s.deliver(st, frame{track: i, pts: pts, dts: pts, data: au}, false, false)
		})
	case *codecs.G711:
		r.OnDataG711(t, func(pts time.Duration, samples []byte) {
			s.deliver(st, frame{track: i, pts: pts, dts: pts, data: samples}, false, false)
		})
	case *codecs.Opus:
		r.OnDataOpus(t, func(pts time.Duration, packet []byte) {
			s.deliver(st, frame{track: i, pts: pts, dts: pts, data: packet}, false, false)
		})
	default:
		return fmt.Errorf("%w: %T", ErrUnsupportedCodec, t.Codec)
	}
	return nil
}

// deliver hands f to the stream's players under the server lock.
func (s *Server) deliver(st *stream, f frame, video, key bool) {
	s.mu.Lock()
	st.deliver(f, video, key)
	s.mu.Unlock()
}

// replaceTrack installs new parameter sets under the server lock.
func (s *Server) replaceTrack(st *stream, i int, t *gortmplib.Track) {
	s.mu.Lock()
	st.replaceTrack(i, t)
	s.mu.Unlock()
}
