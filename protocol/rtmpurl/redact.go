package rtmpurl

import (
	"net/url"
	"strings"
)

// Masked replaces a secret wherever an rtmpUrl is shown or logged.
const Masked = "xxxxx"

// secretNames are the parts of a query parameter's name that say its value is a secret: how
// platforms and media servers authenticate publishers (token, streamkey, secret, pass(word),
// auth, sig(nature), wowzatokenhash, …).
var secretNames = []string{"token", "key", "secret", "pass", "auth", "sig"}

// Redact is rawURL for the call object, events, notifications and logs: the password of the
// user info and the value of every query parameter whose name suggests a secret replaced by
// Masked. Everything else stays as given, so a client recognises its URL. A URL that does not
// parse is not shown at all.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	u.RawQuery = RedactQuery(u.RawQuery)
	return u.Redacted()
}

// RedactQuery masks the secret values of a raw query, keeping its order and spelling.
func RedactQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		name, _, hasValue := strings.Cut(p, "=")
		if hasValue && isSecretName(name) {
			parts[i] = name + "=" + Masked
		}
	}
	return strings.Join(parts, "&")
}

func isSecretName(name string) bool {
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	name = strings.ToLower(name)
	for _, s := range secretNames {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}
