// Package api is sipcast's REST front end (Fiber v2), compatible with the spec's REST API. It
// talks to the actor engine only through the Calls interface, so its tests use a fake; one error
// handler turns every error into the spec's error JSON with the right status. Besides the spec's
// methods it serves the live event stream, health, metrics and its own OpenAPI description, and
// in the production profile it requires HTTP Basic credentials on every request.
package api

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/valyala/fasthttp"

	"github.com/sipcast/sipcast/api/ui"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// Calls is what the REST API needs of the engine.
type Calls interface {
	StartCall(ctx context.Context, spec callapi.Startup) (callapi.Call, error)
	Find(ctx context.Context, filter map[string]any) ([]callapi.Call, error)
	Terminate(ctx context.Context, callID string) error
	// SendDTMF plays digits (already validated) into an established call; kind is DTMFRFC2833,
	// DTMFInband or DTMFInfo. It returns how the digits went (RFC2833 falls back to INBAND or
	// INFO on a call whose answer took no telephone-event).
	SendDTMF(ctx context.Context, callID, digits, kind string) (sent string, err error)
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
	// ReadTimeout bounds reading one request, headers and body: a client that trickles bytes
	// cannot hold a connection and its buffer. Default 10 s.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing one answer to a client that does not read it. The event
	// stream is exempt (it lasts; its heartbeat finds clients gone). Default 10 s.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection with no request for that long. Default 60 s.
	IdleTimeout time.Duration
	// MaxConns is the most connections served at once (fasthttp's Concurrency); the listener
	// should cap below it. Default 1024.
	MaxConns int
	// Use runs before every route, after authentication: the cluster's forwarding layer marks
	// the requests other nodes send here and keeps their bodies to pass on.
	Use []fiber.Handler
	// WHEP serves /whep/{toStream}; nil: playback is off (404).
	WHEP WHEP
	// PlaybackSecret, when set, lets a request for one stream (/play, /whep, /hls) in without
	// the credentials when it carries a valid playback token for it (playback.MakeToken).
	PlaybackSecret []byte
	// HLS serves /hls/{toStream}/index.m3u8; nil: off (404).
	HLS HLS
	// Pages serves the calls page at / and the player at /play/{toStream} (package ui).
	Pages bool
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
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 10 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = time.Minute
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = 1024
	}
}

// eventsPath is the one route whose answer has no write deadline.
const eventsPath = "/rest-api/events"

// perRequestLimits gives every request but the event stream the write deadline: fasthttp puts
// its WriteTimeout on a whole answer, which would cut a stream that is meant to last.
func perRequestLimits(cfg Config, paths *requestPaths) func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	return func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		paths.remember(h)
		path, _, _ := strings.Cut(string(h.RequestURI()), "?")
		if path == eventsPath {
			return fasthttp.RequestConfig{}
		}
		return fasthttp.RequestConfig{WriteTimeout: cfg.WriteTimeout}
	}
}

// New builds the Fiber app with every route. Build one app per listener (HTTP, HTTPS): they
// share what cfg points to.
func New(cfg Config, calls Calls) *fiber.App {
	cfg.defaults()
	paths := &requestPaths{}
	app := fiber.New(fiber.Config{
		BodyLimit:             cfg.BodyLimit,
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(cfg, paths),
		AppName:               "sipcast",
		ReadTimeout:           cfg.ReadTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		Concurrency:           cfg.MaxConns,
	})
	app.Server().HeaderReceived = perRequestLimits(cfg, paths)
	app.Use(paths.forgetPath)
	app.Use(recover.New())
	app.Use(cors)
	if cfg.Auth != nil {
		app.Use(basicAuth(cfg))
	}
	for _, mw := range cfg.Use {
		app.Use(mw)
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
	rest.Get("/events", h.events) // eventsPath
	rest.Get("/openapi.json", h.openAPI)
	app.Get("/healthz", h.healthz)
	app.Get("/metrics", h.metrics)
	if p, ok := h.calls.(Pushes); ok {
		registerPush(rest, p, h.cfg)
	}
	if h.cfg.WHEP != nil {
		registerWHEP(app, h.cfg.WHEP)
	}
	if h.cfg.HLS != nil {
		registerHLS(app, h.cfg.HLS)
	}
	if h.cfg.Pages {
		ui.Register(app)
	}
}

// cors lets a browser page on another origin call the API, as the original's demo does.
func cors(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderAccessControlExposeHeaders, "Location") // WHEP's session URL
	if c.Method() == fiber.MethodOptions {
		c.Set(fiber.HeaderAccessControlAllowMethods, "POST, GET, DELETE, PATCH, OPTIONS")
		c.Set(fiber.HeaderAccessControlAllowHeaders, "Content-Type, Authorization")
		c.Set(fiber.HeaderAccessControlMaxAge, "86400")
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Next()
}
