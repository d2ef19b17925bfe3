package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// maxEventLine bounds one line of the event stream (a call object is ~1 KB).
const maxEventLine = 1 << 20

// watchEvents follows sipcast's event stream (GET /rest-api/events, Server-Sent Events carrying
// the call object on every change) and records each call's status times as they are pushed:
// exact to the delivery, and free for sipcast, where polling /call/find_all for N calls costs it
// an N-call JSON answer every few milliseconds. ok is false when sipcast has no event stream
// (older builds answer 404); the caller then polls. stop ends the stream.
func watchEvents(ctx context.Context, g *gateway, s *callSet) (stop func(), ok bool) {
	ctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.rest+"/events", nil)
	if err != nil {
		cancel()
		return nil, false
	}
	// Its own client: no timeout (the stream is long) and no pooling with the REST connections.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, false
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		cancel()
		return nil, false
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), maxEventLine)
		for sc.Scan() {
			data, ok := bytes.CutPrefix(sc.Bytes(), []byte("data: "))
			if !ok {
				continue
			}
			var c callapi.Call
			if json.Unmarshal(data, &c) == nil && c.CallID != "" {
				s.observe([]callapi.Call{c}, time.Now())
			}
		}
	})
	return func() {
		cancel()
		wg.Wait()
	}, true
}
