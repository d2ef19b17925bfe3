package api

import (
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/internal/metrics"
)

// Throttle defaults: ten wrong passwords a minute is more than a person mistypes and far too few
// to guess one.
const (
	DefaultMaxFailures   = 10
	DefaultFailureWindow = time.Minute
	// maxTrackedClients bounds the throttle's memory under a spray of source addresses.
	maxTrackedClients = 10_000
	// maxLoggedUser bounds a user name written to the log: it comes from the client.
	maxLoggedUser = 64
)

// basicAuth requires HTTP Basic credentials (RFC 7617). A request without any gets a plain 401
// challenge; wrong ones are counted per client address, and a client that fails too often gets
// 429 for a while, whatever it sends.
func basicAuth(cfg Config) fiber.Handler {
	return func(c *fiber.Ctx) error {
		client := c.IP()
		if wait := cfg.Throttle.Blocked(client); wait > 0 {
			metrics.AuthThrottled.Inc()
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((wait+time.Second-1)/time.Second)))
			return fiber.NewError(fiber.StatusTooManyRequests, "too many failed authentications from this client; retry later")
		}
		header := c.Get(fiber.HeaderAuthorization)
		user, password, ok := parseBasic(header)
		if ok && cfg.Auth.Authenticate(user, password) {
			return c.Next()
		}
		metrics.AuthFailures.Inc()
		if header == "" {
			cfg.Logger.Debug("authentication required", "client", client, "path", c.Path())
		} else {
			cfg.Throttle.Failed(client)
			if len(user) > maxLoggedUser {
				user = user[:maxLoggedUser] + "…"
			}
			cfg.Logger.Warn("authentication failed", "client", client, "user", user, "path", c.Path())
		}
		c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="sipcast", charset="UTF-8"`)
		return fiber.NewError(fiber.StatusUnauthorized, "authentication required")
	}
}

func parseBasic(header string) (user, password string, ok bool) {
	scheme, value, found := strings.Cut(strings.TrimSpace(header), " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(raw), ":")
}

// Throttle counts authentication failures per client in fixed windows: the window starts at a
// client's first failure; MaxFailures within it block the client until Window has passed since
// the last one. A plain mutexed map: every request passes here, and the work is a lookup.
type Throttle struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	clients map[string]*failures
}

type failures struct {
	count        int
	since        time.Time
	blockedUntil time.Time
}

// NewThrottle makes a throttle; max ≤ 0 never blocks.
func NewThrottle(max int, window time.Duration, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{max: max, window: window, now: now, clients: map[string]*failures{}}
}

// Blocked returns how long client must still wait; 0 when it may try.
func (t *Throttle) Blocked(client string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.clients[client]
	if f == nil {
		return 0
	}
	return max(f.blockedUntil.Sub(t.now()), 0)
}

// Failed records one failure of client.
func (t *Throttle) Failed(client string) {
	if t.max <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	f := t.clients[client]
	if f == nil || (now.Sub(f.since) > t.window && now.After(f.blockedUntil)) {
		if f == nil && len(t.clients) >= maxTrackedClients {
			t.evict(now)
		}
		f = &failures{since: now}
		t.clients[client] = f
	}
	f.count++
	if f.count >= t.max {
		f.blockedUntil = now.Add(t.window)
	}
}

// evict forgets clients whose window and block are over, then, if still full, any.
func (t *Throttle) evict(now time.Time) {
	for k, f := range t.clients {
		if now.Sub(f.since) > t.window && now.After(f.blockedUntil) {
			delete(t.clients, k)
		}
	}
	for k := range t.clients {
		if len(t.clients) < maxTrackedClients {
			return
		}
		delete(t.clients, k)
	}
}
