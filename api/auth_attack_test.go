package api

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingAuth counts the password checks that reach the hash.
type countingAuth struct {
	*Credentials
	hashed atomic.Int64
}

func (a *countingAuth) Authenticate(user, password string) bool {
	a.hashed.Add(1)
	return a.Credentials.Authenticate(user, password)
}

// serveAuth serves an app with credentials admin:pw on a real socket (the throttle keys on the
// client address) and returns its base URL.
func serveAuth(t *testing.T, auth Authenticator) string {
	t.Helper()
	app := New(Config{Logger: quiet, Auth: auth}, newFake())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

func post(t *testing.T, cl *http.Client, base, auth string) int {
	req, _ := http.NewRequest("POST", base+"/rest-api/call/find_all", nil)
	req.Header.Set("Authorization", auth)
	res, err := cl.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestConcurrentGuessing plays issue 12's attacker: 150 wrong passwords at once from one
// address all got 401 and cost 20 s of CPU. Now at most DefaultMaxFailures are hashed, the
// rest get 429 at once, and the right credentials still get in, from the same address, while
// the guesses were for another user name.
func TestConcurrentGuessing(t *testing.T) {
	hash, _ := HashPassword("pw", 20_000)
	auth := &countingAuth{Credentials: &Credentials{Current: func() (string, string) { return "admin", hash }}}
	base := serveAuth(t, auth)
	cl := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: 200}}
	for _, user := range []string{"root", "admin"} {
		auth.hashed.Store(0)
		codes := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := range 150 {
			wg.Go(func() {
				code := post(t, cl, base, basic(user, "guess"+strconv.Itoa(i)))
				mu.Lock()
				codes[code]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if codes[401] > DefaultMaxFailures || codes[401]+codes[429] != 150 {
			t.Fatalf("guessing %s: answers %v; want at most %d 401 and the rest 429", user, codes, DefaultMaxFailures)
		}
		if n := auth.hashed.Load(); n > DefaultMaxFailures {
			t.Fatalf("guessing %s: %d passwords hashed, want at most %d", user, n, DefaultMaxFailures)
		}
		t.Logf("guessing %s: %v, %d hashed", user, codes, auth.hashed.Load())
		if user == "root" {
			// Someone else's failures, under another name, do not lock admin out.
			if code := post(t, cl, base, basic("admin", "pw")); code != 200 {
				t.Fatalf("right credentials after another user's guesses: %d", code)
			}
		}
	}
	// The guesses were for admin from this address: admin from here waits (TestAuthThrottle
	// shows another address is not affected).
	if code := post(t, cl, base, basic("admin", "pw")); code != 429 {
		t.Fatalf("admin from the guessing address: %d, want 429", code)
	}
}

// TestGlobalCap: a spray of names and addresses cannot make more than the global cap hash per
// window, and a client already in passes while the cap holds.
func TestGlobalCap(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	th := NewThrottle(3, time.Minute, clock.Now)
	allowed := 0
	for i := range 1000 {
		if th.Begin("user"+strconv.Itoa(i)+"\x00"+"10.0.0."+strconv.Itoa(i%250)) == 0 {
			allowed++
		}
	}
	if allowed != globalFactor*3 {
		t.Fatalf("%d attempts checked in one window, want the global cap %d", allowed, globalFactor*3)
	}
	clock.add(time.Minute + time.Second)
	if th.Begin("late\x00127.0.0.1") != 0 {
		t.Fatal("the global cap outlived its window")
	}

	hash, _ := HashPassword("pw", testIterations)
	c := &Credentials{Current: func() (string, string) { return "admin", hash }}
	if !c.Authenticate("admin", "pw") {
		t.Fatal("right credentials refused")
	}
	if !c.AuthenticateCached("admin", "pw") || c.AuthenticateCached("admin", "guess") || c.AuthenticateCached("eve", "pw") {
		t.Fatal("cache answers")
	}
}

// TestUnknownUserPaysTheHash: a wrong user name is checked against a dummy hash of the same
// cost, so its answer takes as long as a wrong password's (BenchmarkWrongPassword measures it).
func TestUnknownUserPaysTheHash(t *testing.T) {
	hash, _ := HashPassword("pw", testIterations)
	c := &Credentials{Current: func() (string, string) { return "admin", hash }}
	if c.Authenticate("nobody", "pw") {
		t.Fatal("unknown user accepted")
	}
	c.mu.Lock()
	dummy := c.dummy
	c.mu.Unlock()
	if dummy == "" || dummy == hash {
		t.Fatal("no dummy hash was checked for an unknown user")
	}
	if got, want := dummy[:len("pbkdf2-sha256$1000$")], hash[:len("pbkdf2-sha256$1000$")]; got != want {
		t.Fatalf("dummy %q has another cost than %q", got, want)
	}
}
