package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/protocol/callapi"
)

type handlers struct {
	calls Calls
	log   *slog.Logger
	cfg   Config
}

// startup: POST /rest-api/call/startup → 200 [call] | 400 | 409.
func (h *handlers) startup(c *fiber.Ctx) error {
	spec, err := callapi.ParseStartup(c.Body())
	if err != nil {
		return err
	}
	call, err := h.calls.StartCall(c.UserContext(), spec)
	if err != nil {
		return err
	}
	return c.JSON([]callapi.Call{call})
}

// find: POST /rest-api/call/find {field: value, …} → 200 [calls] | 404.
func (h *handlers) find(c *fiber.Ctx) error {
	filter, err := decodeObject(c.Body())
	if err != nil {
		return err
	}
	return h.list(c, filter)
}

// findAll: POST /rest-api/call/find_all → 200 [calls] | 404.
func (h *handlers) findAll(c *fiber.Ctx) error {
	return h.list(c, nil)
}

func (h *handlers) list(c *fiber.Ctx, filter map[string]any) error {
	calls, err := h.calls.Find(c.UserContext(), filter)
	if err != nil {
		return err
	}
	if len(calls) == 0 {
		return fmt.Errorf("%w: no call matches", callapi.ErrNotFound)
	}
	return c.JSON(calls)
}

// terminate: POST /rest-api/call/terminate {"callId"} → 200 | 404.
func (h *handlers) terminate(c *fiber.Ctx) error {
	var req struct {
		CallID callapi.Text `json:"callId"`
	}
	if err := decodeInto(c.Body(), &req); err != nil {
		return err
	}
	id := strings.TrimSpace(string(req.CallID))
	if id == "" {
		return fmt.Errorf("%w: callId", callapi.ErrMissing)
	}
	if err := h.calls.Terminate(c.UserContext(), id); err != nil {
		return err
	}
	// 200 with an empty body, as the original answers: a client reading JSON "when there is
	// one" finds none.
	c.Status(fiber.StatusOK)
	return nil
}

// decodeInto reads a JSON object body into v (unknown fields ignored); an empty body leaves v
// as it is. A body that is not an object, or a field of the wrong type, is a 400.
func decodeInto(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if _, err := decodeObject(body); err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fmt.Errorf("%w: field %q: %v", callapi.ErrWrongType, te.Field, err)
		}
		if errors.Is(err, callapi.ErrWrongType) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	return nil
}

// decodeObject reads a JSON object body; an empty body is an empty object.
func decodeObject(body []byte) (map[string]any, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return map[string]any{}, nil
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("%w: body must be a JSON object: %v", ErrBadRequest, err)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}
