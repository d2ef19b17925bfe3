package api

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Password hashing: PBKDF2-HMAC-SHA256 from the standard library, encoded as
// "pbkdf2-sha256$<iterations>$<salt>$<key>" (raw base64). The iteration count travels with the
// hash, so it can be raised later without invalidating stored passwords.
const (
	hashScheme = "pbkdf2-sha256"
	// DefaultIterations is OWASP's 2023 figure for PBKDF2-HMAC-SHA256: ~90 ms per check on one
	// core, which is why successful checks are cached (Credentials).
	DefaultIterations = 600_000
	saltSize          = 16
	keySize           = 32
	// maxIterations refuses a stored hash that would take minutes to check.
	maxIterations = 10_000_000
)

// Default credentials of the production profile until an operator sets a password.
const (
	DefaultUser     = "admin"
	DefaultPassword = "admin"
)

// HashPassword hashes password with a fresh random salt; iterations ≤ 0 takes DefaultIterations.
func HashPassword(password string, iterations int) (string, error) {
	if iterations <= 0 {
		iterations = DefaultIterations
	}
	salt := make([]byte, saltSize)
	_, _ = rand.Read(salt)
	key, err := pbkdf2.Key(sha256.New, password, salt, iterations, keySize)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("%s$%d$%s$%s", hashScheme, iterations, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches an encoded hash, comparing in constant time.
// A malformed hash matches nothing.
func VerifyPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != hashScheme {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > maxIterations {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// Authenticator checks Basic credentials.
type Authenticator interface {
	Authenticate(user, password string) bool
}

// maxCached bounds the remembered good credentials: one user, a few clients' spellings of it.
const maxCached = 8

// Credentials checks against one user and password hash, read from Current on every request
// (the settings file may change under a running server). An empty hash means the default
// password. A successful check is remembered (as a SHA-256 digest, never the password) until the
// user or hash changes, so only the first request of a client pays for PBKDF2. A wrong user name
// costs the same PBKDF2 as a wrong password (against a dummy hash of the same iterations), so
// timing tells no one which user names exist.
type Credentials struct {
	Current func() (user, hash string)

	mu      sync.Mutex
	forUser string
	forHash string
	good    [][32]byte
	dummy   string // a hash of a random password with forHash's iterations
}

// AuthenticateCached implements CachedAuthenticator: true only for credentials already
// verified against the current user and hash (or the default ones, which cost no hash).
func (c *Credentials) AuthenticateCached(user, password string) bool {
	wantUser, hash := c.current()
	if hash == "" {
		return c.Authenticate(user, password)
	}
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(wantUser)) == 1
	return c.cached(wantUser, hash, digestOf(hash, user, password)) && userOK
}

// Authenticate implements Authenticator.
func (c *Credentials) Authenticate(user, password string) bool {
	wantUser, hash := c.current()
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(wantUser)) == 1
	if hash == "" {
		passOK := subtle.ConstantTimeCompare([]byte(password), []byte(DefaultPassword)) == 1
		return userOK && passOK
	}
	digest := digestOf(hash, user, password)
	if c.cached(wantUser, hash, digest) {
		return userOK
	}
	against := hash
	if !userOK {
		against = c.dummyFor(hash)
	}
	if !VerifyPassword(against, password) || !userOK {
		return false
	}
	c.mu.Lock()
	if c.forUser == wantUser && c.forHash == hash && len(c.good) < maxCached {
		c.good = append(c.good, digest)
	}
	c.mu.Unlock()
	return true
}

func (c *Credentials) current() (string, string) {
	user, hash := c.Current()
	if user == "" {
		user = DefaultUser
	}
	return user, hash
}

func digestOf(hash, user, password string) [32]byte {
	return sha256.Sum256([]byte(hash + "\x00" + user + "\x00" + password))
}

// cached reports whether digest was verified before for wantUser and hash; a change of either
// forgets everything remembered.
func (c *Credentials) cached(wantUser, hash string, digest [32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.forUser != wantUser || c.forHash != hash {
		c.forUser, c.forHash, c.good, c.dummy = wantUser, hash, nil, ""
	}
	hit := 0
	for i := range c.good {
		hit |= subtle.ConstantTimeCompare(c.good[i][:], digest[:])
	}
	return hit == 1
}

// dummyFor is a hash with hash's iterations, of a password no one knows. It is made once per
// stored hash, outside the lock (it costs one PBKDF2).
func (c *Credentials) dummyFor(hash string) string {
	c.mu.Lock()
	if c.forHash == hash && c.dummy != "" {
		d := c.dummy
		c.mu.Unlock()
		return d
	}
	c.mu.Unlock()
	iter := DefaultIterations
	if parts := strings.Split(hash, "$"); len(parts) == 4 {
		if n, err := strconv.Atoi(parts[1]); err == nil && n >= 1 && n <= maxIterations {
			iter = n
		}
	}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	d, err := HashPassword(base64.RawStdEncoding.EncodeToString(secret), iter)
	if err != nil {
		return hash
	}
	c.mu.Lock()
	if c.forHash == hash {
		c.dummy = d
	}
	c.mu.Unlock()
	return d
}
