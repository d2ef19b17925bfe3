package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/actors/clusterfront"
	"github.com/sipcast/sipcast/actors/notify"
	"github.com/sipcast/sipcast/api"
	"github.com/sipcast/sipcast/internal/netlimit"
)

// restServer is the REST API on its listeners: HTTP always, HTTPS in the production profile.
// Each listener has its own Fiber app over the same engine, event broker, credentials and
// authentication throttle.
type restServer struct {
	apps   []*fiber.App
	served chan error
	log    *slog.Logger
}

// startREST listens and serves; errors from the listeners come on Err.
func startREST(cfg Config, log *slog.Logger, calls api.Calls, store *settingsStore, broker *notify.Broker, web api.WHEP, hlsServer api.HLS) (*restServer, error) {
	apiCfg := api.Config{Logger: log, BodyLimit: cfg.BodyLimit, PushPrefix: cfg.PushPrefix, SoundsDir: cfg.SoundsDir,
		Events: broker, ReadTimeout: cfg.RESTReadTimeout, WriteTimeout: cfg.RESTWriteTimeout,
		IdleTimeout: cfg.RESTIdleTimeout, MaxConns: cfg.RESTMaxConns, WHEP: web, HLS: hlsServer, Pages: cfg.playbackOn()}
	if cfg.ClusterEtcd != "" {
		apiCfg.Use = append(apiCfg.Use, clusterfront.Middleware) // marks other nodes' requests
	}
	if cfg.PlaybackSecret != "" {
		apiCfg.PlaybackSecret = []byte(cfg.PlaybackSecret)
	}
	production := cfg.Profile == "production"
	if production {
		apiCfg.Auth = &api.Credentials{Current: store.credentials}
		apiCfg.Throttle = api.NewThrottle(cfg.AuthMaxFailures, api.DefaultFailureWindow, nil)
	}
	r := &restServer{served: make(chan error, 2), log: log}
	if err := r.listen(apiCfg, calls, cfg.RESTPort, nil, cfg.LimitsConfig); err != nil {
		return nil, err
	}
	if production && cfg.HTTPSPort != 0 {
		tlsCfg, err := cfg.httpsConfig(log)
		if err != nil {
			r.Shutdown(0)
			return nil, err
		}
		if err := r.listen(apiCfg, calls, cfg.HTTPSPort, tlsCfg, cfg.LimitsConfig); err != nil {
			r.Shutdown(0)
			return nil, err
		}
	}
	return r, nil
}

// listen serves one REST listener. The listener caps connections (in all and per address) and
// waits out accept errors such as running out of descriptors, which would otherwise stop Fiber
// for good; the app bounds each request's time.
func (r *restServer) listen(apiCfg api.Config, calls api.Calls, port int, tlsCfg *tls.Config, lim LimitsConfig) error {
	addr := net.JoinHostPort("", strconv.Itoa(port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("REST listen %s: %w", addr, err)
	}
	scheme := "http"
	if tlsCfg != nil {
		ln, scheme = tls.NewListener(ln, tlsCfg), "https"
	}
	ln = netlimit.Wrap(ln, netlimit.Config{Name: "rest", MaxConns: lim.RESTMaxConns, MaxPerSource: lim.RESTMaxConnsPerIP,
		HandshakeTimeout: lim.TLSHandshake, Logger: r.log})
	app := api.New(apiCfg, calls)
	r.apps = append(r.apps, app)
	go func() { r.served <- app.Listener(ln) }()
	r.log.Info("REST API listening", "addr", ln.Addr().String(), "scheme", scheme, "auth", apiCfg.Auth != nil)
	return nil
}

// Err delivers the first listener that stopped serving.
func (r *restServer) Err() <-chan error { return r.served }

// Shutdown stops every listener, waiting up to timeout for requests in progress.
func (r *restServer) Shutdown(timeout time.Duration) {
	var errs []error
	for _, app := range r.apps {
		errs = append(errs, app.ShutdownWithTimeout(timeout))
	}
	if err := errors.Join(errs...); err != nil {
		r.log.Warn("REST shutdown", "err", err)
	}
}

// notifyConfig is the dispatcher's configuration: app URLs resolved live from the settings file.
func notifyConfig(cfg Config, log *slog.Logger, store *settingsStore, broker *notify.Broker) notify.Config {
	return notify.Config{
		Apps:          func(appKey string) string { return cfg.appURL(store.get().Apps, appKey) },
		Authorization: cfg.CallAppAuth,
		Secret:        cfg.CallAppSecret,
		QueueSize:     cfg.NotifyQueue,
		Retries:       cfg.NotifyRetries,
		Timeout:       cfg.NotifyTimeout,
		Broker:        broker,
		Logger:        log,
	}
}
