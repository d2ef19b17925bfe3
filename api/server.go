// Package api is sipcast's REST front end (Fiber v2), compatible with the spec's REST API. It
// talks to the actor engine only through the Calls interface, so its tests use a fake; one error
// handler turns every error into the spec's error JSON with the right status.
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
}

// Config configures the REST app.
type Config struct {
	// BodyLimit is the largest request body accepted, in bytes; larger → 413. Default 64 KiB.
	BodyLimit int
	Logger    *slog.Logger
	// Now is the clock for error timestamps.
	Now func() time.Time
	// PushPrefix goes in front of a pushed stream's name on the RTMP server. Default "rtmp_".
	PushPrefix string
	// SoundsDir is the folder /push sound files are read from; empty: sounds are refused.
	SoundsDir string
}

// New builds the Fiber app with every route.
func New(cfg Config, calls Calls) *fiber.App {
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 64 << 10
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	app := fiber.New(fiber.Config{
		BodyLimit:             cfg.BodyLimit,
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(cfg),
		AppName:               "sipcast",
	})
	app.Use(recover.New())
	app.Use(cors)
	h := &handlers{calls: calls, log: cfg.Logger}
	rest := app.Group("/rest-api")
	rest.Post("/call/startup", h.startup)
	rest.Post("/call/find", h.find)
	rest.Post("/call/find_all", h.findAll)
	rest.Post("/call/terminate", h.terminate)
	if p, ok := calls.(Pushes); ok {
		if cfg.PushPrefix == "" {
			cfg.PushPrefix = DefaultPushPrefix
		}
		registerPush(rest, p, cfg)
	}
	app.Use(func(c *fiber.Ctx) error {
		return fiber.NewError(fiber.StatusNotFound, "no such method: "+c.Method()+" "+c.Path())
	})
	return app
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
