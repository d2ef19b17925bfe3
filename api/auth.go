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
	// globalFactor sets the throttle's cap on failures from everyone together, per window, as a
	// multiple of the per-client cap: it bounds the PBKDF2 work an attacker spraying addresses or
	// user names can cause (100 checks a minute at the defaults, ~10 s of one core).
	globalFactor = 10
	// maxTrackedClients bounds the throttle's memory under a spray of source addresses.
	maxTrackedClients = 10_000
	// maxLoggedUser bounds a user name written to the log or kept in a throttle key: it comes
	// from the client.
	maxLoggedUser = 64
)

// CachedAuthenticator is an Authenticator that can tell credentials it has already verified
// without paying for a hash again. Those pass even when the throttle's global cap is reached,
// so an attack on the login does not lock out clients that are already in.
type CachedAuthenticator interface {
	Authenticator
	AuthenticateCached(user, password string) bool
}

// basicAuth requires HTTP Basic credentials (RFC 7617). A request without any gets a plain 401
// challenge. Attempts are throttled per user name and client address (someone else's failures,
// from elsewhere or under another name, never lock the right credentials out), and in all: the
// attempt is counted before the password is hashed, so concurrent guesses cannot outrun the
// throttle, and a blocked attempt costs no hash.
func basicAuth(cfg Config) fiber.Handler {
	cached, _ := cfg.Auth.(CachedAuthenticator)
	return func(c *fiber.Ctx) error {
		if playbackAllowed(cfg, c) {
			return c.Next()
		}
		client := c.IP()
		header := c.Get(fiber.HeaderAuthorization)
		if header == "" {
			metrics.AuthFailures.Inc()
			cfg.Logger.Debug("authentication required", "client", client, "path", c.Path())
			return challenge(c)
		}
		user, password, ok := parseBasic(header)
		logUser := user
		if len(logUser) > maxLoggedUser {
			logUser = logUser[:maxLoggedUser] + "…"
		}
		key := logUser + "\x00" + client
		if wait := cfg.Throttle.Blocked(key); wait > 0 {
			return throttled(c, wait)
		}
		if ok && cached != nil && cached.AuthenticateCached(user, password) {
			return c.Next()
		}
		if wait := cfg.Throttle.Begin(key); wait > 0 {
			return throttled(c, wait)
		}
		if ok && cfg.Auth.Authenticate(user, password) {
			cfg.Throttle.Succeeded(key)
			return c.Next()
		}
		metrics.AuthFailures.Inc()
		cfg.Logger.Warn("authentication failed", "client", client, "user", logUser, "path", c.Path())
		return challenge(c)
	}
}

func challenge(c *fiber.Ctx) error {
	c.Set(fiber.HeaderWWWAuthenticate, `Basic realm="sipcast", charset="UTF-8"`)
	return fiber.NewError(fiber.StatusUnauthorized, "authentication required")
}

func throttled(c *fiber.Ctx, wait time.Duration) error {
	metrics.AuthThrottled.Inc()
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	return fiber.NewError(fiber.StatusTooManyRequests, "too many failed authentications; retry later")
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

// Throttle counts authentication attempts that have not succeeded, per key (user name and
// client address) and in all, in fixed windows. A key's window starts at its first attempt;
// MaxFailures within it block the key until Window has passed since the last one. The global
// cap (globalFactor × MaxFailures per window) refuses new attempts from everyone until its
// window ends. A plain mutexed map: every request with credentials passes here, and the work is
// a lookup.
type Throttle struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu           sync.Mutex
	clients      map[string]*failures
	globalCount  int
	globalSince  time.Time
	globalMax    int
	globalActive bool
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
	return &Throttle{max: max, window: window, now: now, clients: map[string]*failures{}, globalMax: globalFactor * max}
}

// Blocked returns how long key must still wait; 0 when it may try.
func (t *Throttle) Blocked(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.clients[key]
	if f == nil {
		return 0
	}
	return max(f.blockedUntil.Sub(t.now()), 0)
}

// Begin counts one attempt of key, before its password is checked, and returns how long it must
// wait instead (0: check it). The attempt stays counted as a failure unless Succeeded follows.
func (t *Throttle) Begin(key string) time.Duration {
	if t.max <= 0 {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	f := t.clients[key]
	if f != nil && now.Before(f.blockedUntil) {
		return f.blockedUntil.Sub(now)
	}
	if f == nil || now.Sub(f.since) > t.window {
		if f == nil && len(t.clients) >= maxTrackedClients {
			t.evict(now)
		}
		f = &failures{since: now}
		t.clients[key] = f
	}
	f.count++
	if f.count >= t.max {
		f.blockedUntil = now.Add(t.window)
	}
	if !t.globalActive || now.Sub(t.globalSince) > t.window {
		t.globalSince, t.globalCount, t.globalActive = now, 0, true
	}
	if t.globalCount >= t.globalMax {
		return max(t.globalSince.Add(t.window).Sub(now), time.Second)
	}
	t.globalCount++
	return 0
}

// Failed records one failed attempt of key (Begin without the answer).
func (t *Throttle) Failed(key string) { t.Begin(key) }

// Succeeded forgets key's failures: the attempt Begin counted was the right credentials.
func (t *Throttle) Succeeded(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.clients, key)
	if t.globalCount > 0 {
		t.globalCount--
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
