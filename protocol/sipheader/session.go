package sipheader

import (
	"fmt"
	"strconv"
	"strings"
)

// Refresher values of the Session-Expires "refresher" parameter (RFC 4028 §4): the side that
// sends the refreshes, named by its role in the transaction that carried the header.
const (
	RefresherUAC = "uac"
	RefresherUAS = "uas"
)

// MinSessionExpires is RFC 4028's floor for Min-SE and Session-Expires: 90 seconds.
const MinSessionExpires = 90

// maxDeltaSeconds bounds delta-seconds: RFC 4028 allows up to 2^32-1, but no session is refreshed
// less than once a day, and the bound keeps timer arithmetic far from overflow.
const maxDeltaSeconds = 86400

// maxHeaderLen bounds a value before it is looked at: real ones are a few dozen characters.
const maxHeaderLen = 1024

// SessionExpires is the value of a Session-Expires (or x) header.
type SessionExpires struct {
	Seconds   int
	Refresher string // RefresherUAC, RefresherUAS, or "" when absent
}

// String renders the value: "1800;refresher=uac" or "1800".
func (s SessionExpires) String() string {
	if s.Refresher == "" {
		return strconv.Itoa(s.Seconds)
	}
	return strconv.Itoa(s.Seconds) + ";refresher=" + s.Refresher
}

// ParseSessionExpires reads "delta-seconds *(;param)"; a refresher other than uac or uas is
// malformed, other parameters are ignored as RFC 4028 §4 asks.
func ParseSessionExpires(v string) (SessionExpires, error) {
	if len(v) > maxHeaderLen {
		return SessionExpires{}, fmt.Errorf("%w: Session-Expires of %d bytes", ErrMalformed, len(v))
	}
	parts := strings.Split(v, ";")
	secs, err := parseDelta(parts[0])
	if err != nil {
		return SessionExpires{}, err
	}
	se := SessionExpires{Seconds: secs}
	for _, p := range parts[1:] {
		name, val, _ := strings.Cut(p, "=")
		if !strings.EqualFold(strings.TrimSpace(name), "refresher") {
			continue
		}
		switch r := strings.ToLower(strings.TrimSpace(val)); r {
		case RefresherUAC, RefresherUAS:
			se.Refresher = r
		default:
			return SessionExpires{}, fmt.Errorf("%w: refresher %q", ErrMalformed, val)
		}
	}
	return se, nil
}

// ParseMinSE reads a Min-SE value: delta-seconds, parameters ignored.
func ParseMinSE(v string) (int, error) {
	if len(v) > maxHeaderLen {
		return 0, fmt.Errorf("%w: Min-SE of %d bytes", ErrMalformed, len(v))
	}
	secs, _, _ := strings.Cut(v, ";")
	return parseDelta(secs)
}

func parseDelta(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 10 {
		return 0, fmt.Errorf("%w: delta-seconds %q", ErrMalformed, s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: delta-seconds %q", ErrMalformed, s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: delta-seconds %q", ErrMalformed, s)
	}
	if n < 1 || n > maxDeltaSeconds {
		return 0, fmt.Errorf("%w: %d seconds, want 1-%d", ErrRange, n, maxDeltaSeconds)
	}
	return n, nil
}
