package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// ErrBadRequest wraps a request the handlers cannot read (malformed JSON, wrong shape).
var ErrBadRequest = errors.New("bad request")

// ErrorBody is the spec's error JSON.
type ErrorBody struct {
	Error     string `json:"error"`
	Exception string `json:"exception"`
	Message   string `json:"message"`
	Path      string `json:"path"`
	Status    int    `json:"status"`
	Timestamp int64  `json:"timestamp"`
}

// statusOf maps sentinel errors to HTTP statuses; this is the one place that does.
func statusOf(err error) int {
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		return fe.Code
	case playbackStatus(err) != 0:
		return playbackStatus(err)
	case errors.Is(err, ErrBadRequest), errors.Is(err, ErrSoundFile), errors.Is(err, callapi.ErrWrongType),
		errors.Is(err, callapi.ErrMissing), errors.Is(err, callapi.ErrInvalid):
		return fiber.StatusBadRequest
	case errors.Is(err, callapi.ErrNotEstablished), errors.Is(err, callapi.ErrDTMFNotNegotiated):
		return fiber.StatusBadRequest
	case errors.Is(err, callapi.ErrDTMFFailed):
		return fiber.StatusBadGateway
	case errors.Is(err, callapi.ErrConflict):
		return fiber.StatusConflict
	case errors.Is(err, callapi.ErrNotFound):
		return fiber.StatusNotFound
	case errors.Is(err, callapi.ErrUnavailable):
		return fiber.StatusServiceUnavailable
	}
	return fiber.StatusInternalServerError
}

func errorHandler(cfg Config, paths *requestPaths) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		path := paths.pathOf(c)
		paths.forget(c)
		status := statusOf(err)
		msg := err.Error()
		if status == fiber.StatusBadRequest {
			// The spec's message for a bad SIP login is exact; keep it free of our prefixes.
			if strings.Contains(msg, callapi.MsgReservedSymbols) {
				msg = callapi.MsgReservedSymbols
			}
		}
		switch {
		case status == fiber.StatusServiceUnavailable:
			// A limit reached (viewers, calls, a cluster full) is the system working: a warning.
			cfg.Logger.Warn("request refused", "path", path, "err", err)
		case status >= 500:
			cfg.Logger.Error("request failed", "path", path, "err", err)
		}
		return c.Status(status).JSON(ErrorBody{
			Error:     http.StatusText(status),
			Exception: exceptionOf(status),
			Message:   msg,
			Path:      path,
			Status:    status,
			Timestamp: cfg.Now().UnixMilli(),
		})
	}
}

// exceptionOf names the error class the way the original's clients see it: a dotted name.
func exceptionOf(status int) string {
	switch status {
	case fiber.StatusBadRequest:
		return "sipcast.rest.BadRequestException"
	case fiber.StatusNotFound:
		return "sipcast.rest.NotFoundException"
	case fiber.StatusConflict:
		return "sipcast.rest.ConflictException"
	case fiber.StatusRequestEntityTooLarge:
		return "sipcast.rest.PayloadTooLargeException"
	case fiber.StatusUnauthorized:
		return "sipcast.rest.UnauthorizedException"
	case fiber.StatusTooManyRequests:
		return "sipcast.rest.TooManyRequestsException"
	case fiber.StatusServiceUnavailable:
		return "sipcast.rest.ServiceUnavailableException"
	case fiber.StatusBadGateway:
		return "sipcast.rest.BadGatewayException"
	}
	if status < 500 {
		return "sipcast.rest.ClientErrorException"
	}
	return "sipcast.rest.InternalErrorException"
}
