package api

import (
	"bufio"
	"bytes"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// events: GET /rest-api/events[?callId=ID] → a text/event-stream of every notification (the same
// JSON the apps get), one SSE event each:
//
//	id: 7
//	event: CallStatusEvent
//	data: {"callId":"c1","status":"ESTABLISHED",…}
//
// The stream lasts until the client goes away or the server stops.
func (h *handlers) events(c *fiber.Ctx) error {
	src := h.cfg.Events
	if src == nil {
		return fiber.NewError(fiber.StatusNotFound, "the event stream is not enabled")
	}
	events, cancel := src.Stream(c.Query("callId"))
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no") // nginx in front must not hold events back
	heartbeat := h.cfg.HeartbeatInterval
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer cancel()
		// The first line lets the client know the stream is open before any event.
		if writeSSE(w, []byte(": sipcast events\n\n")) != nil {
			return
		}
		tick := time.NewTicker(heartbeat)
		defer tick.Stop()
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					return
				}
				if writeSSE(w, formatSSE(ev)) != nil {
					return
				}
			case <-tick.C:
				// A comment: keeps proxies from timing the stream out and finds gone clients.
				if writeSSE(w, []byte(": ping\n\n")) != nil {
					return
				}
			}
		}
	})
	return nil
}

func writeSSE(w *bufio.Writer, b []byte) error {
	if _, err := w.Write(b); err != nil {
		return err
	}
	return w.Flush()
}

// formatSSE renders one event; the JSON body holds no raw newline, but split on them anyway
// so a payload can never end the event early.
func formatSSE(ev callapi.Event) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "id: %d\nevent: %s\n", ev.ID, ev.Name)
	for line := range bytes.SplitSeq(ev.Body, []byte("\n")) {
		b.WriteString("data: ")
		b.Write(bytes.TrimSuffix(line, []byte("\r")))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.Bytes()
}
