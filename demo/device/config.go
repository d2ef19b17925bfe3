package device

import (
	"fmt"
	"log/slog"
	"net"
	"time"
)

// DefaultAddr is where the demo's callee lives: sip:alice@127.0.0.1:5070.
const DefaultAddr = "127.0.0.1:5070"

// Config describes one simulated callee.
type Config struct {
	// Addr is the UDP address SIP listens on, "IP:port"; port 0 picks a free
	// one. The IP is also the media address of the SDP answers, so it must be
	// a concrete address, not 0.0.0.0. Default DefaultAddr.
	Addr string
	// User is the Request-URI user the device answers; INVITEs for another
	// user get 404. Empty accepts any. Default "".
	User string
	// AnswerCode is the final response to an INVITE: 2xx answers; 300-699
	// refuses (486 simulates a busy callee). Default 200.
	AnswerCode int
	// RingFor is how long the device rings (180 Ringing) before its final
	// response. Default 0: 180 and 200 at once.
	RingFor time.Duration
	// HangupAfter makes the device send its own BYE this long after the call
	// is answered. Default 0: never; the caller hangs up.
	HangupAfter time.Duration
	// Logger receives call events (at Debug) and errors. Default slog.Default().
	Logger *slog.Logger
}

// withDefaults returns cfg with defaults applied, or ErrBadConfig.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.AnswerCode == 0 {
		cfg.AnswerCode = 200
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return cfg, fmt.Errorf("%w: Addr %q: %w", ErrBadConfig, cfg.Addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		return cfg, fmt.Errorf("%w: Addr %q needs a concrete IP (it goes into SDP)", ErrBadConfig, cfg.Addr)
	}
	if cfg.AnswerCode < 200 || cfg.AnswerCode > 699 {
		return cfg, fmt.Errorf("%w: AnswerCode %d is not a final response", ErrBadConfig, cfg.AnswerCode)
	}
	if cfg.RingFor < 0 || cfg.HangupAfter < 0 {
		return cfg, fmt.Errorf("%w: negative duration", ErrBadConfig)
	}
	return cfg, nil
}

// answers reports whether the configured answer is a 2xx.
func (cfg Config) answers() bool { return cfg.AnswerCode < 300 }
