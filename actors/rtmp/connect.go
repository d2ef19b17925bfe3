package rtmp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/bluenviron/gortmplib"
)

// connect dials and publishes. The client goes to the actor through result (and a message), so
// a client that connects while the actor is stopping is still closed by the actor.
func (a *Actor) connect(ctx context.Context, gen int, result chan<- *gortmplib.Client, done chan<- struct{}) {
	defer close(done)
	defer a.recoverGoroutine("connect")
	c := &gortmplib.Client{URL: a.cfg.Target.ClientURL(), Publish: true, TLSConfig: a.cfg.TLS}
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
