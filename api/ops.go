package api

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// openAPIDoc is the OpenAPI 3 description of every route (TestOpenAPIMatchesRoutes keeps the
// two in step).
//
//go:embed openapi.json
var openAPIDoc []byte

// callStatuses are listed in /metrics even when no call has them, so dashboards see the series.
var callStatuses = []string{
	callapi.StatusPending, callapi.StatusTrying, callapi.StatusRing, callapi.StatusSessionProgress,
	callapi.StatusEstablished, callapi.StatusHold, callapi.StatusBusy, callapi.StatusFailed, callapi.StatusFinish,
}

// healthz: GET /healthz → 200 {"status":"UP"} when the engine answers, else 503.
func (h *handlers) healthz(c *fiber.Ctx) error {
	if _, err := h.calls.Find(c.UserContext(), nil); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "UP"})
}

// metrics: GET /metrics → Prometheus text format: calls by status (asked of the engine) and
// every process-wide counter.
func (h *handlers) metrics(c *fiber.Ctx) error {
	var buf bytes.Buffer
	w := metrics.NewWriter(&buf)
	calls, err := h.calls.Find(c.UserContext(), nil)
	w.Header("sipcast_up", "gauge", "1 when the engine answered this scrape.")
	if err != nil {
		w.Sample("sipcast_up", 0)
		h.log.Warn("metrics: engine did not answer", "err", err)
	} else {
		w.Sample("sipcast_up", 1)
		byStatus := map[string]int{}
		for _, call := range calls {
			byStatus[call.Status]++
		}
		w.Header("sipcast_calls", "gauge", "Calls by status: live ones, and ended ones still shown to /call/find.")
		for _, s := range callStatuses {
			w.Sample("sipcast_calls", float64(byStatus[s]), "status", s)
			delete(byStatus, s)
		}
		for s, n := range byStatus {
			w.Sample("sipcast_calls", float64(n), "status", s)
		}
	}
	if err := w.Err(); err != nil {
		return err
	}
	if err := metrics.Write(&buf); err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	c.Set(fiber.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	return c.Send(buf.Bytes())
}

// openAPI: GET /rest-api/openapi.json → the OpenAPI 3 description of this API.
func (h *handlers) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIDoc)
}
