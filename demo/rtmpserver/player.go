package rtmpserver

import (
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
)

// playerSendBuffer caps the kernel's send buffer of a player's socket (Linux
// doubles it). Left alone, the kernel grows it to megabytes: a player that
// stops reading would then sit 10 s or more behind live before its queue even
// started to overflow. 256 KiB is about a second of a 2 Mbit/s stream, and far
// above the bandwidth-delay product of the loopback and LAN players this
// server is for.
const playerSendBuffer = 256 << 10

// errNoWriter means a frame reached a player before its Writer was started;
// stream.offer makes that impossible, so it flags a bug.
var errNoWriter = errors.New("rtmpserver: frame before tracks")

// player is one connection playing a stream. The publisher fills its bounded
// queue without blocking (stream.offer); run, on the connection's goroutine,
// writes what is queued.
type player struct {
	conn         net.Conn
	sc           *gortmplib.ServerConn
	writeTimeout time.Duration
	queue        chan item
	ended        chan struct{} // closed when the publication is over
	endOnce      sync.Once

	// Guarded by Server.mu; see stream.offer.
	needInit bool // the next queued item must be the tracks
	waitKey  bool // drop frames until a keyframe

	w *gortmplib.Writer // owned by run
}

func newPlayer(conn net.Conn, sc *gortmplib.ServerConn, queueLen int, writeTimeout time.Duration) *player {
	return &player{
		conn:         conn,
		sc:           sc,
		writeTimeout: writeTimeout,
		queue:        make(chan item, queueLen),
		ended:        make(chan struct{}),
		needInit:     true,
		waitKey:      true,
	}
}

// servePlayer plays key on conn until the player or the publication goes.
func (s *Server) servePlayer(conn net.Conn, sc *gortmplib.ServerConn, key string, log *slog.Logger) error {
	_ = conn.SetDeadline(time.Time{}) // reads: none; writes: per write
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(playerSendBuffer)
	}
	p := newPlayer(conn, sc, s.playerQueue, s.writeTimeout)
	st := s.join(key, p)
	defer s.leave(st, p)
	log.Info("rtmp player joined", "stream", key)
	err := p.run(s.done)
	log.Info("rtmp player left", "stream", key, "err", err)
	return err
}

// enqueue queues it unless the queue is full.
func (p *player) enqueue(it item) bool {
	select {
	case p.queue <- it:
		return true
	default:
		return false
	}
}

// end tells run that the publication is over; safe to call more than once.
func (p *player) end() {
	p.endOnce.Do(func() { close(p.ended) })
}

// run writes queued items until the player hangs up, the publication ends, a
// write fails or times out, or done is closed. It closes the connection and
// returns only once its reader goroutine has stopped.
func (p *player) run(done <-chan struct{}) error {
	hungUp := make(chan struct{})
	go func() {
		defer close(hungUp)
		// After "play" a player sends next to nothing (acknowledgements, buffer
		// length). Discarding raw bytes, rather than parsing RTMP messages,
		// keeps this goroutine away from gortmplib's connection state, which
		// is not safe to use while run writes; its only job is to notice the
		// player leave.
		_, _ = io.Copy(io.Discard, p.conn)
	}()
	defer func() {
		_ = p.conn.Close()
		<-hungUp
	}()

	for {
		select {
		case it := <-p.queue:
			if err := p.write(it); err != nil {
				return err
			}
		case <-hungUp:
			return ErrPlayerGone
		case <-p.ended:
			return ErrPublisherGone
		case <-done:
			return ErrClosed
		}
	}
}

// write sends one item. New tracks start a new Writer: its Initialize answers
// the play command the first time, and sends metadata and sequence headers.
func (p *player) write(it item) error {
	_ = p.conn.SetWriteDeadline(time.Now().Add(p.writeTimeout))
	if it.tracks != nil {
		p.w = &gortmplib.Writer{Conn: p.sc, Tracks: it.tracks}
		return p.w.Initialize()
	}
	if p.w == nil {
		return errNoWriter
	}
	return writeFrame(p.w, it.frame)
}

// writeFrame writes f with the Writer method of its track's codec.
func writeFrame(w *gortmplib.Writer, f frame) error {
	t := w.Tracks[f.track]
	switch t.Codec.(type) {
	case *codecs.H264:
		return w.WriteH264(t, f.pts, f.dts, f.au)
	case *codecs.H265:
		return w.WriteH265(t, f.pts, f.dts, f.au)
	case *codecs.MPEG4Audio:
		return w.WriteMPEG4Audio(t, f.pts, f.data)
	case *codecs.G711:
		return w.WriteG711(t, f.pts, f.data)
	case *codecs.Opus:
		return w.WriteOpus(t, f.pts, f.data)
	default:
		return ErrUnsupportedCodec
	}
}
