package rtmp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/bluenviron/gortmplib"
)

// connect dials and publishes. The client goes to the actor through result (and a message), so
// a client that connects while the actor is stopping is still closed by the actor.
func (a *Actor) connect(ctx context.Context, gen int, result chan<- *gortmplib.Client, done chan<- struct{}) {
	defer close(done)
	defer a.reportPanic("connect", func(err error) any { return &connectFailed{gen: gen, err: err} })
	c := &gortmplib.Client{URL: a.cfg.Target.ClientURL(), Publish: true, TLSConfig: a.cfg.TLS, DialContext: a.dialTCP}
	if err := c.Initialize(ctx); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("%w after %s: %v", ErrConnectTimeout, a.cfg.ConnectTimeout, err)
		}
		a.system.Root.Send(a.self, &connectFailed{gen: gen, err: err})
		return
	}
	result <- c
	a.system.Root.Send(a.self, &connected{gen: gen})
}

// classify words a connect error for the status reason and the logs.
func classify(err error) string {
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("%v: connection closed by the server (unknown application?)", ErrRefused)
	case strings.Contains(err.Error(), "NetStream.Publish.BadName"):
		return fmt.Sprintf("%v: stream name already in use (NetStream.Publish.BadName)", ErrRefused)
	}
	return err.Error()
}

// sendBuffer caps the kernel's send buffer for an RTMP connection (the kernel doubles it): about
// 1 s of a 500 kbit/s stream. Left to autotuning it grows to megabytes, and a slow server would
// be fed stale media for a minute; small, the lag check (maxLag) sees the slowness at once.
const sendBuffer = 64 << 10

// writeChunk is how much one write may send under one deadline (see progressConn).
const writeChunk = 4 << 10

// dialTCP connects with a small send buffer and wraps the connection in a progressConn.
func (a *Actor) dialTCP(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(sendBuffer)
	}
	return &progressConn{Conn: c, timeout: a.cfg.WriteTimeout}, nil
}

// progressConn fails a write only when the server takes no data for the write timeout: a
// stalled server is lost (and reconnected to), a slow one just fills the publisher's queue,
// which then drops GOPs. A plain deadline on a whole write cannot tell the two apart: a large
// keyframe to a slow server would time out as if the server were dead.
type progressConn struct {
	net.Conn
	timeout time.Duration
}

func (c *progressConn) Write(b []byte) (int, error) {
	written := 0
	for written < len(b) {
		end := min(written+writeChunk, len(b))
		_ = c.Conn.SetWriteDeadline(time.Now().Add(c.timeout))
		n, err := c.Conn.Write(b[written:end])
		written += n
		if err != nil {
			return written, err
		}
	}
	return written, nil
}
