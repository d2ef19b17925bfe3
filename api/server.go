// Package api is sipcast's REST front end (Fiber v2), compatible with the spec's REST API. It
// talks to the actor engine only through the Calls interface, so its tests use a fake; one error
// handler turns every error into the spec's error JSON with the right status. Besides the spec's
// methods it serves the live event stream, health, metrics and its own OpenAPI description, and
// in the production profile it requires HTTP Basic credentials on every request.
package api

import (
	"context"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// Calls is what the REST API needs of the engine.
type Calls interface {
	StartCall(ctx context.Context, spec callapi.Startup) (callapi.Call, error)
	Find(ctx context.Context, filter map[string]any) ([]callapi.Call, error)
	Terminate(ctx context.Context, callID string) error
	// SendDTMF plays digits (already validated) into an established call; kind is DTMFRFC2833
	// or DTMFInfo.
	SendDTMF(ctx context.Context, callID, digits, kind string) error
}

// EventSource feeds GET /rest-api/events (the engine's notification broker is one).
type EventSource interface {
	// Stream returns every event from now on, or one call's when callID is set, until cancel is
	// called; the channel is closed when the source closes or after cancel.
	Stream(callID string) (events <-chan callapi.Event, cancel func())
}

// Config configures the REST app.
type Config struct {
	// BodyLimit is the largest request body accepted, in bytes; larger → 413. Default 64 KiB.
	BodyLimit int
	Logger    *slog.Logger
	// Now is the clock for error timestamps and the authentication throttle.
	Now func() time.Time
	// Auth, when set, requires HTTP Basic credentials on every request except CORS preflight
	// (the production profile). Nil serves everyone (dev).
	Auth Authenticator
	// Throttle limits authentication failures per client; with Auth set, nil means a throttle of
	// DefaultMaxFailures per DefaultFailureWindow. Share one between the HTTP and HTTPS apps.
	Throttle *Throttle
	// Events serves GET /rest-api/events (Server-Sent Events); nil answers 404.
	Events EventSource
	// HeartbeatInterval is how often an idle event stream gets a comment line, which also finds
	// clients that went away. Default 15 s.
	HeartbeatInterval time.Duration
	// PushPrefix is put in front of a pushed stream's name on the RTMP server. Default
	// DefaultPushPrefix.
	PushPrefix string
	// SoundsDir is the folder of the WAV files /push sound_on may play; "" refuses every file.
	SoundsDir string
}

func (cfg *Config) defaults() {
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 64 << 10
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Auth != nil && cfg.Throttle == nil {
		cfg.Throttle = NewThrottle(DefaultMaxFailures, DefaultFailureWindow, cfg.Now)
	}
	if cfg.HeartbeatInterval == 0 {
		cfg.HeartbeatInterval = 15 * time.Second
	}
	if cfg.PushPrefix == "" {
		cfg.PushPrefix = DefaultPushPrefix
	}
}

// New builds the Fiber app with every route. Build one app per listener (HTTP, HTTPS): they
// share what cfg points to.
func New(cfg Config, calls Calls) *fiber.App {
	cfg.defaults()
	app := fiber.New(fiber.Config{
		BodyLimit:             cfg.BodyLimit,
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(cfg),
		AppName:               "sipcast",
	})
	app.Use(recover.New())
	app.Use(cors)
	if cfg.Auth != nil {
		app.Use(basicAuth(cfg))
	}
	h := &handlers{calls: calls, log: cfg.Logger, cfg: cfg}
	h.routes(app)
	app.Use(func(c *fiber.Ctx) error {
		return fiber.NewError(fiber.StatusNotFound, "no such method: "+c.Method()+" "+c.Path())
	})
	return app
}

// routes registers every endpoint; openapi.json describes each (a test holds them together).
func (h *handlers) routes(app *fiber.App) {
	rest := app.Group("/rest-api")
	rest.Post("/call/startup", h.startup)
	rest.Post("/call/find", h.find)
	rest.Post("/call/find_all", h.findAll)
	rest.Post("/call/terminate", h.terminate)
	rest.Post("/call/send_dtmf", h.sendDTMF)
	rest.Get("/events", h.events)
	rest.Get("/openapi.json", h.openAPI)
	app.Get("/healthz", h.healthz)
	app.Get("/metrics", h.metrics)
	if p, ok := h.calls.(Pushes); ok {
		registerPush(rest, p, h.cfg)
	}
}

// cors lets a browser page on another origin call the API, as the original's demo does.
func cors(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	if c.Method() == fiber.MethodOptions {
		c.Set(fiber.HeaderAccessControlAllowMethods, "POST, GET, OPTIONS")
		c.Set(fiber.HeaderAccessControlAllowHeaders, "Content-Type, Authorization")
		c.Set(fiber.HeaderAccessControlMaxAge, "86400")
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Next()
}
