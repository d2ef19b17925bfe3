package api

import (
	"context"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/protocol/playback"
)

// WHEP is what the WHEP routes need of the engine: sessions that play a call's toStream.
type WHEP interface {
	// Offer answers an SDP offer for stream with the session's id and the SDP answer (ICE
	// candidates included: no trickle).
	Offer(ctx context.Context, stream string, offer []byte) (id, answer string, err error)
	// Delete ends a session of stream.
	Delete(ctx context.Context, stream, id string) error
}

// registerWHEP serves draft-ietf-wish-whep at /whep/{toStream}: POST an offer → 201 with the
// answer and the session's Location; DELETE the Location ends it; PATCH (trickle, ICE restart)
// is not supported → 405. OPTIONS and CORS are the app's (cors).
func registerWHEP(app *fiber.App, w WHEP) {
	app.Post("/whep/:stream", func(c *fiber.Ctx) error {
		ct := string(c.Request().Header.ContentType())
		if ct != "" && ct != "application/sdp" {
			return fiber.NewError(fiber.StatusUnsupportedMediaType, "a WHEP offer is application/sdp, not "+ct)
		}
		stream := strings.Clone(c.Params("stream")) // Fiber's strings die with the request
		id, answer, err := w.Offer(c.UserContext(), stream, c.Body())
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderLocation, "/whep/"+stream+"/"+id)
		c.Set(fiber.HeaderContentType, "application/sdp")
		return c.Status(fiber.StatusCreated).SendString(answer)
	})
	app.Delete("/whep/:stream/:session", func(c *fiber.Ctx) error {
		if err := w.Delete(c.UserContext(), strings.Clone(c.Params("stream")), strings.Clone(c.Params("session"))); err != nil {
			return err
		}
		return c.SendStatus(fiber.StatusOK)
	})
	app.Patch("/whep/:stream/:session", func(c *fiber.Ctx) error {
		return fiber.NewError(fiber.StatusMethodNotAllowed, "trickle ICE and ICE restarts are not supported: the answer has every candidate")
	})
}

// playbackStatus maps the playback sentinels to HTTP statuses (0: not one of them).
func playbackStatus(err error) int {
	switch {
	case errors.Is(err, playback.ErrBadOffer), errors.Is(err, playback.ErrCodecMismatch):
		return fiber.StatusBadRequest
	case errors.Is(err, playback.ErrNoStream), errors.Is(err, playback.ErrNoMedia), errors.Is(err, playback.ErrNoSession):
		return fiber.StatusNotFound
	case errors.Is(err, playback.ErrTooManyViewers), errors.Is(err, playback.ErrUnavailable):
		return fiber.StatusServiceUnavailable
	}
	return 0
}
