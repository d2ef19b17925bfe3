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
// user or hash changes, so only the first request of a client pays for PBKDF2.
type Credentials struct {
	Current func() (user, hash string)

	mu      sync.Mutex
	forUser string
	forHash string
	good    [][32]byte
}

// Authenticate implements Authenticator.
func (c *Credentials) Authenticate(user, password string) bool {
	wantUser, hash := c.Current()
	if wantUser == "" {
		wantUser = DefaultUser
	}
	userOK := subtle.ConstantTimeCompare([]byte(user), []byte(wantUser)) == 1
	if hash == "" {
		passOK := subtle.ConstantTimeCompare([]byte(password), []byte(DefaultPassword)) == 1
		return userOK && passOK
	}
	digest := sha256.Sum256([]byte(hash + "\x00" + user + "\x00" + password))
	c.mu.Lock()
	if c.forUser != wantUser || c.forHash != hash {
		c.forUser, c.forHash, c.good = wantUser, hash, nil
	}
	hit := 0
	for i := range c.good {
		hit |= subtle.ConstantTimeCompare(c.good[i][:], digest[:])
	}
	c.mu.Unlock()
	if hit == 1 {
		return userOK
	}
	if !userOK || !VerifyPassword(hash, password) {
		return false
	}
	c.mu.Lock()
	if c.forUser == wantUser && c.forHash == hash && len(c.good) < maxCached {
		c.good = append(c.good, digest)
	}
	c.mu.Unlock()
	return true
}
