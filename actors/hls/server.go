package hls

import (
	"fmt"
	"net/http"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/viewer"
	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/protocol/playback"
)

// Server answers HLS requests (api.HLS) from the calls' HLS actors.
type Server struct {
	System    *actor.ActorSystem
	Directory *viewer.Directory
}

// Serve answers one request for a file of stream's HLS (index.m3u8, init, segments, parts).
func (s *Server) Serve(stream string, w http.ResponseWriter, r *http.Request) error {
	pid := s.Directory.LookupHLS(stream)
	if pid == nil {
		return fmt.Errorf("%w: %q", playback.ErrNoStream, stream)
	}
	res, err := s.System.Root.RequestFuture(pid, &Open{}, openWait+2*time.Second).Result()
	if err != nil {
		return fmt.Errorf("%w: %q", playback.ErrNoStream, stream)
	}
	o := res.(*OpenResponse)
	if o.Err != nil {
		return o.Err
	}
	if isGap(r) {
		serveGap(w)
		return nil
	}
	cw := &countingWriter{ResponseWriter: w}
	o.Muxer.Handle(cw, r)
	if !cw.wrote {
		return fmt.Errorf("%w: no such file in the stream's HLS", playback.ErrNoStream)
	}
	metrics.HLSBytes.Add(cw.n)
	return nil
}

// countingWriter learns whether the muxer answered (it writes nothing for a name it does not
// know) and how much.
type countingWriter struct {
	http.ResponseWriter
	wrote bool
	n     uint64
}

func (c *countingWriter) WriteHeader(code int) {
	c.wrote = true
	c.ResponseWriter.WriteHeader(code)
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.wrote = true
	c.n += uint64(len(b))
	return c.ResponseWriter.Write(b)
}
