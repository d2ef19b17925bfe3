package dtmf

import (
	"fmt"
	"strings"
)

// MaxDigits bounds one request's digit string. A person dials a PIN or a menu choice; 32 digits
// take about 5 s to play, which is as long as a REST request should wait for "DTMF sent".
const MaxDigits = 32

// Event codes of RFC 4733 §3.2 for the sixteen DTMF digits; 16 is hook flash.
const (
	EventStar  = 10
	EventPound = 11
	EventA     = 12
	EventFlash = 16
)

// EventOf returns the RFC 4733 event code of a digit (0-9, *, #, A-D; a-d accepted).
func EventOf(d byte) (uint8, bool) {
	switch {
	case d >= '0' && d <= '9':
		return d - '0', true
	case d == '*':
		return EventStar, true
	case d == '#':
		return EventPound, true
	case d >= 'A' && d <= 'D':
		return EventA + d - 'A', true
	case d >= 'a' && d <= 'd':
		return EventA + d - 'a', true
	}
	return 0, false
}

// DigitOf is EventOf's inverse for the sixteen digits.
func DigitOf(event uint8) (byte, bool) {
	switch {
	case event <= 9:
		return '0' + event, true
	case event == EventStar:
		return '*', true
	case event == EventPound:
		return '#', true
	case event >= EventA && event <= EventA+3:
		return 'A' + event - EventA, true
	}
	return 0, false
}

// Normalize checks a digit string as the REST API takes it and returns it upper-cased.
func Normalize(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", ErrNoDigits
	case len(s) > MaxDigits:
		return "", fmt.Errorf("%w: %d, at most %d", ErrTooManyDigits, len(s), MaxDigits)
	}
	for i := 0; i < len(s); i++ {
		if _, ok := EventOf(s[i]); !ok {
			return "", fmt.Errorf("%w: %q at position %d: want 0-9, *, #, A-D", ErrInvalidDigit, s[i], i+1)
		}
	}
	return strings.ToUpper(s), nil
}
