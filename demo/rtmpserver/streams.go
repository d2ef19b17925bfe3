package rtmpserver

import (
	"net/url"
	"strings"
)

// streamKey turns the URL gortmplib builds from tcUrl and the stream name
// (rtmp://host/app/stream) into "app/stream". The app may itself contain
// slashes (Wowza's live/_definst_); the stream is the last segment. The query
// (tokens) is not part of the name.
func streamKey(u *url.URL) (string, error) {
	if u == nil {
		return "", ErrBadStreamName
	}
	p := strings.Trim(u.Path, "/")
	if !strings.Contains(p, "/") {
		// A client that put a query on the application (rtmp://h/live?token=x, how many
		// platforms authenticate) sends tcUrl with the query, and the library appends
		// "/stream" after it: the name is then at the end of the query.
		if i := strings.LastIndexByte(u.RawQuery, '/'); i >= 0 {
			name, _, _ := strings.Cut(u.RawQuery[i+1:], "?")
			p += "/" + name
		}
	}
	i := strings.LastIndexByte(p, '/')
	if i <= 0 || i == len(p)-1 {
		return "", ErrBadStreamName
	}
	return p, nil
}

// claim makes the caller the publisher of key, or fails with ErrStreamBusy.
func (s *Server) claim(key string, bytes func() uint64) (*stream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.lookupOrCreate(key)
	if st.publishing {
		return nil, ErrStreamBusy
	}
	st.publishing = true
	st.bytes = bytes
	st.videoFrames, st.audioFrames, st.dropped = 0, 0, 0
	return st, nil
}

// release ends a publication and its players.
func (s *Server) release(st *stream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st.publishing = false
	st.bytes = nil
	st.tracks, st.hasVideo = nil, false
	st.endPlayers()
	s.dropIfIdle(st)
}

// join adds a player to key. A player may join before the publisher: it waits,
// as with nginx-rtmp, and starts with the publication's first keyframe.
func (s *Server) join(key string, p *player) *stream {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.lookupOrCreate(key)
	st.players[p] = struct{}{}
	return st
}

// leave removes a player.
func (s *Server) leave(st *stream, p *player) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(st.players, p)
	s.dropIfIdle(st)
}

func (s *Server) lookupOrCreate(key string) *stream {
	st := s.streams[key]
	if st == nil {
		st = &stream{key: key, players: make(map[*player]struct{})}
		s.streams[key] = st
	}
	return st
}

// dropIfIdle forgets a stream nobody publishes or plays.
func (s *Server) dropIfIdle(st *stream) {
	if !st.publishing && len(st.players) == 0 && s.streams[st.key] == st {
		delete(s.streams, st.key)
	}
}
