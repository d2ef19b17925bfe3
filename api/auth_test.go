package api

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var quiet = slog.New(slog.DiscardHandler)

// testIterations keeps PBKDF2 fast in tests; the count travels in the hash.
const testIterations = 1000

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("s3cret", testIterations)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "pbkdf2-sha256$1000$") || strings.Contains(h, "s3cret") {
		t.Fatalf("hash %q", h)
	}
	if !VerifyPassword(h, "s3cret") || VerifyPassword(h, "s3cret ") || VerifyPassword(h, "") {
		t.Fatal("verify")
	}
	h2, _ := HashPassword("s3cret", testIterations)
	if h2 == h {
		t.Fatal("two hashes of one password must differ (salt)")
	}
	for _, bad := range []string{"", "s3cret", "pbkdf2-sha256$x$a$b", "pbkdf2-sha256$0$AAAA$AAAA",
		"pbkdf2-sha256$99999999999$AAAA$AAAA", "md5$1$AAAA$AAAA", "pbkdf2-sha256$1000$!!$AAAA", "pbkdf2-sha256$1000$AAAA$"} {
		if VerifyPassword(bad, "s3cret") {
			t.Errorf("malformed hash %q matched", bad)
		}
	}
}

type settable struct {
	mu         sync.Mutex
	user, hash string
}

func (s *settable) get() (string, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user, s.hash
}

func (s *settable) set(user, hash string) {
	s.mu.Lock()
	s.user, s.hash = user, hash
	s.mu.Unlock()
}

// Credentials: admin:admin until a hash is stored; a new hash takes effect at the next request,
// also for a client whose old password was cached.
func TestCredentials(t *testing.T) {
	st := &settable{}
	c := &Credentials{Current: st.get}
	if !c.Authenticate("admin", "admin") || c.Authenticate("admin", "x") || c.Authenticate("root", "admin") {
		t.Fatal("default credentials")
	}
	h1, _ := HashPassword("one", testIterations)
	st.set("ops", h1)
	if c.Authenticate("admin", "admin") || !c.Authenticate("ops", "one") || !c.Authenticate("ops", "one") {
		t.Fatal("stored credentials")
	}
	if c.Authenticate("admin", "one") {
		t.Fatal("wrong user accepted")
	}
	h2, _ := HashPassword("two", testIterations)
	st.set("ops", h2)
	if c.Authenticate("ops", "one") || !c.Authenticate("ops", "two") {
		t.Fatal("cached password survived a change")
	}
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// With Auth set, no route answers without credentials: 401, WWW-Authenticate, the error JSON.
// CORS preflight needs none (browsers send none).
func TestAuthEveryRoute(t *testing.T) {
	hash, _ := HashPassword("pw", testIterations)
	app := New(Config{Logger: quiet, Throttle: NewThrottle(0, time.Minute, nil),
		Auth: &Credentials{Current: func() (string, string) { return "admin", hash }}}, newFake())
	routes := app.GetRoutes(true)
	if len(routes) < 9 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, r := range routes {
		if r.Method == "HEAD" {
			continue
		}
		for _, auth := range []string{"", basic("admin", "wrong"), basic("other", "pw"), "Bearer pw", "Basic !!!"} {
			req := httptest.NewRequest(r.Method, r.Path, strings.NewReader(`{"callId":"existing","dtmf":"1"}`))
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			res, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			var e ErrorBody
			if res.StatusCode != 401 || !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), `Basic realm="sipcast"`) ||
				json.Unmarshal(b, &e) != nil || e.Status != 401 || e.Exception != "sipcast.rest.UnauthorizedException" {
				t.Fatalf("%s %s with %q: %d %s", r.Method, r.Path, auth, res.StatusCode, b)
			}
		}
		req := httptest.NewRequest(r.Method, r.Path, strings.NewReader(`{"callId":"existing","dtmf":"1"}`))
		req.Header.Set("Authorization", basic("admin", "pw"))
		if res, err := app.Test(req, -1); err != nil || res.StatusCode == 401 || res.StatusCode >= 500 {
			t.Fatalf("%s %s with credentials: %v %v", r.Method, r.Path, res.StatusCode, err)
		}
	}
	res, err := app.Test(httptest.NewRequest("OPTIONS", "/rest-api/call/startup", nil), -1)
	if err != nil || res.StatusCode != 204 {
		t.Fatalf("preflight: %v %v", res.StatusCode, err)
	}
}

// A client that fails DefaultMaxFailures times is refused with 429, even with the right
// password, until the window has passed; another client is not affected; requests without any
// credentials do not count.
func TestAuthThrottle(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	hash, _ := HashPassword("pw", testIterations)
	app := New(Config{Now: clock.Now, Logger: quiet, Auth: &Credentials{Current: func() (string, string) { return "admin", hash }}}, newFake())
	// The client address is what the throttle keys on: a real socket, each client from its own
	// loopback address.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	clients := map[string]*http.Client{}
	do := func(ip, auth string) *http.Response {
		cl := clients[ip]
		if cl == nil {
			d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
			cl = &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
			clients[ip] = cl
		}
		req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/rest-api/call/find_all", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	for range 20 {
		if res := do("127.0.0.21", ""); res.StatusCode != 401 {
			t.Fatalf("no credentials: %d", res.StatusCode)
		}
	}
	for i := range DefaultMaxFailures {
		if res := do("127.0.0.21", basic("admin", "guess")); res.StatusCode != 401 {
			t.Fatalf("failure %d: %d", i, res.StatusCode)
		}
	}
	res := do("127.0.0.21", basic("admin", "pw"))
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "60" {
		t.Fatalf("blocked client: %d Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if res := do("127.0.0.22", basic("admin", "pw")); res.StatusCode != 200 {
		t.Fatalf("other client: %d", res.StatusCode)
	}
	clock.add(DefaultFailureWindow + time.Second)
	if res := do("127.0.0.21", basic("admin", "pw")); res.StatusCode != 200 {
		t.Fatalf("after the window: %d", res.StatusCode)
	}
}

func TestThrottleBounded(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	th := NewThrottle(3, time.Minute, clock.Now)
	for i := range maxTrackedClients + 100 {
		th.Failed("c" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i))
	}
	if len(th.clients) > maxTrackedClients {
		t.Fatalf("%d clients tracked", len(th.clients))
	}
}
