package api

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/dtmf"
)

// DTMF types of /call/send_dtmf, as the spec names them.
const (
	// DTMFRFC2833 sends RFC 4733 (formerly 2833) telephone events in the call's audio RTP.
	DTMFRFC2833 = "RFC2833"
	// DTMFInfo sends one SIP INFO per digit in the call's dialog: application/dtmf-relay, or
	// application/dtmf for a device that takes only that (its Accept, or its 415, says so).
	DTMFInfo = "INFO"
	// DTMFInband sends Q.23 dual tones in the audio sipcast sends the device, in its codec.
	DTMFInband = "INBAND"
)

// SendDTMFAnswer is the 200 body of /call/send_dtmf: how the digits went. RFC2833 asked of a
// call whose answer took no telephone-event comes back INBAND (or INFO).
type SendDTMFAnswer struct {
	CallID string `json:"callId"`
	DTMF   string `json:"dtmf"`
	Type   string `json:"type"`
}

// SendDTMFRequest is the /call/send_dtmf body. Unknown fields are ignored; dtmf may be a JSON
// number ("dtmf": 9) as well as a string.
type SendDTMFRequest struct {
	CallID callapi.Text `json:"callId"`
	DTMF   callapi.Text `json:"dtmf"`
	Type   callapi.Text `json:"type"`
}

// ParseSendDTMF decodes and validates a /call/send_dtmf body: callId required; dtmf 1 to
// dtmf.MaxDigits of 0-9 * # A-D (a-d accepted); type RFC2833 (the default; RFC4733 accepted),
// INBAND or INFO, in any case. It returns the digits upper-cased and the type as the constants spell it.
func ParseSendDTMF(body []byte) (callID, digits, kind string, err error) {
	var req SendDTMFRequest
	if err := decodeInto(body, &req); err != nil {
		return "", "", "", err
	}
	callID = strings.TrimSpace(string(req.CallID))
	if callID == "" {
		return "", "", "", fmt.Errorf("%w: callId", callapi.ErrMissing)
	}
	if strings.TrimSpace(string(req.DTMF)) == "" {
		return "", "", "", fmt.Errorf("%w: dtmf", callapi.ErrMissing)
	}
	if digits, err = dtmf.Normalize(string(req.DTMF)); err != nil {
		return "", "", "", fmt.Errorf("%w: dtmf: %w", callapi.ErrInvalid, err)
	}
	switch strings.ToUpper(strings.TrimSpace(string(req.Type))) {
	case "", DTMFRFC2833, "RFC4733":
		kind = DTMFRFC2833
	case DTMFInfo:
		kind = DTMFInfo
	case DTMFInband:
		kind = DTMFInband
	default:
		return "", "", "", fmt.Errorf("%w: type %q: want RFC2833, INBAND or INFO", callapi.ErrInvalid, string(req.Type))
	}
	return callID, digits, kind, nil
}

// sendDTMF: POST /rest-api/call/send_dtmf {"callId","dtmf","type"} → 200 once every digit was
// sent, with how they went | 400 bad digits, unknown type, call not established, no way to the
// device | 404.
func (h *handlers) sendDTMF(c *fiber.Ctx) error {
	callID, digits, kind, err := ParseSendDTMF(c.Body())
	if err != nil {
		return err
	}
	sent, err := h.calls.SendDTMF(c.UserContext(), callID, digits, kind)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusOK).JSON(SendDTMFAnswer{CallID: callID, DTMF: digits, Type: sent})
}
