package dtmf

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Content types of DTMF in SIP INFO. dtmf-relay is the de-facto standard (Cisco's, spoken by
// nearly every PBX); application/dtmf carries the bare digit.
const (
	ContentTypeRelay = "application/dtmf-relay"
	ContentTypeDTMF  = "application/dtmf"
)

// maxInfoBody bounds a received INFO body: the real ones are two short lines.
const maxInfoBody = 1024

// RelayBody is the application/dtmf-relay body for one digit: "Signal=5\r\nDuration=100\r\n"
// (milliseconds).
func RelayBody(digit byte, tone time.Duration) []byte {
	return fmt.Appendf(nil, "Signal=%c\r\nDuration=%d\r\n", digit, tone.Milliseconds())
}

// ParseRelay reads an application/dtmf-relay body: the digit of its Signal line (upper-cased)
// and its Duration (0 when absent).
func ParseRelay(body []byte) (digit byte, tone time.Duration, err error) {
	if len(body) > maxInfoBody {
		return 0, 0, fmt.Errorf("%w: %d bytes", ErrMalformedBody, len(body))
	}
	sc := bufio.NewScanner(strings.NewReader(string(body)))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "signal":
			if digit, err = oneDigit(v); err != nil {
				return 0, 0, err
			}
		case "duration":
			ms, err := strconv.ParseUint(v, 10, 16)
			if err != nil {
				return 0, 0, fmt.Errorf("%w: duration %q", ErrMalformedBody, v)
			}
			tone = time.Duration(ms) * time.Millisecond
		}
	}
	if digit == 0 {
		return 0, 0, fmt.Errorf("%w: no Signal line", ErrMalformedBody)
	}
	return digit, tone, nil
}

// ParseDTMF reads an application/dtmf body: one digit, or its event code ("11" is #).
func ParseDTMF(body []byte) (byte, error) {
	if len(body) > maxInfoBody {
		return 0, fmt.Errorf("%w: %d bytes", ErrMalformedBody, len(body))
	}
	v := strings.TrimSpace(string(body))
	if n, err := strconv.Atoi(v); err == nil && n >= 10 && n <= 15 {
		d, _ := DigitOf(uint8(n))
		return d, nil
	}
	return oneDigit(v)
}

func oneDigit(v string) (byte, error) {
	if len(v) != 1 {
		return 0, fmt.Errorf("%w: signal %q", ErrMalformedBody, v)
	}
	if _, ok := EventOf(v[0]); !ok {
		return 0, fmt.Errorf("%w: signal %q", ErrMalformedBody, v)
	}
	return strings.ToUpper(v)[0], nil
}
