package harness

import (
	"fmt"
	"io"
	"os"
	"time"
)

// Config is one benchmark run. The zero value, with defaults applied, is a
// short run: 10 sipcast calls and 10 ffmpeg relays held for 10 s.
type Config struct {
	// Calls is the number of concurrent sipcast calls. Default 10.
	Calls int
	// Rate is how many calls are started per second while ramping up (and
	// ended per second while ramping down). Default 50.
	Rate float64
	// Hold is how long all calls run together once the ramp is done.
	// Default 10 s.
	Hold time.Duration
	// Baseline is the number of ffmpeg relays of the baseline phase; a
	// negative value skips it. Default 0: as many as Calls. ffmpeg costs a
	// process per call, so on a small machine cap it (per-call figures stay
	// comparable while neither side saturates the CPU).
	Baseline int
	// Devices is the number of simulated-device processes; calls are spread
	// over them round-robin. Default 1 (one process answers every call).
	Devices int
	// Sipcast is the sipcast binary to run; empty builds ./cmd/sipcast of
	// the repository into WorkDir. Default "".
	Sipcast string
	// Self is the harness executable, re-run as `Self device` for each
	// device process. Default os.Executable().
	Self string
	// WorkDir keeps logs, SDP files and the nginx prefix. Default a new
	// temporary directory, kept after the run for inspection.
	WorkDir string
	// RTPPorts is the first port of sipcast's RTP range; the range is sized
	// for Calls (4 ports each). The ffmpeg relays' ports follow it. It must
	// stay below the kernel's ephemeral range (32768+), which devices use.
	// Default 20000.
	RTPPorts int
	// Poll is how often the harness reads /call/find_all while calls are
	// starting: the resolution of the REST latencies. Default 5 ms.
	Poll time.Duration
	// SettleTimeout bounds the wait, after the last call ended, for
	// sipcast's threads and open files to return to their starting counts.
	// Default 15 s.
	SettleTimeout time.Duration
	// Perf, when set, records `perf record -g` of sipcast during the hold
	// into this file (needs perf and perf_event_paranoid ≤ 2). Default "".
	Perf string
	// SipcastEnv adds environment variables to sipcast's (e.g. GOGC=200).
	SipcastEnv []string
	// Label names the run in the report. Default "N calls".
	Label string
	// Progress receives one line per second while the run goes on.
	// Default os.Stderr.
	Progress io.Writer
}

// rtpPortsCeiling is where the kernel's ephemeral ports begin by default
// (net.ipv4.ip_local_port_range): sipcast's and the relays' fixed ranges
// must end below it, or they would collide with sockets the devices bind.
const rtpPortsCeiling = 32768

// portsPerCall is what one call binds: audio and video RTP/RTCP pairs.
const portsPerCall = 4

// spareCalls widens sipcast's RTP range beyond Calls: a port pair held by
// a call that is still ending must not fail the next call.
const spareCalls = 16

func (c Config) withDefaults() (Config, error) {
	if c.Calls == 0 {
		c.Calls = 10
	}
	if c.Rate == 0 {
		c.Rate = 50
	}
	if c.Hold == 0 {
		c.Hold = 10 * time.Second
	}
	switch {
	case c.Baseline == 0:
		c.Baseline = c.Calls
	case c.Baseline < 0:
		c.Baseline = 0
	}
	if c.Devices == 0 {
		c.Devices = 1
	}
	if c.Self == "" {
		self, err := os.Executable()
		if err != nil {
			return c, fmt.Errorf("%w: Self: %w", ErrBadConfig, err)
		}
		c.Self = self
	}
	if c.RTPPorts == 0 {
		c.RTPPorts = 20000
	}
	if c.Poll == 0 {
		c.Poll = 5 * time.Millisecond
	}
	if c.SettleTimeout == 0 {
		c.SettleTimeout = 15 * time.Second
	}
	if c.Label == "" {
		c.Label = fmt.Sprintf("%d calls", c.Calls)
	}
	if c.Progress == nil {
		c.Progress = os.Stderr
	}
	switch {
	case c.Calls < 0 || c.Devices < 0 || c.Rate < 0 || c.Hold < 0:
		return c, fmt.Errorf("%w: negative count, rate or duration", ErrBadConfig)
	case c.relayPorts()+portsPerCall*c.Baseline > rtpPortsCeiling:
		return c, fmt.Errorf("%w: ports %d.. for %d calls and %d relays reach the ephemeral range (%d)",
			ErrBadConfig, c.RTPPorts, c.Calls, c.Baseline, rtpPortsCeiling)
	}
	return c, nil
}

// sipcastPorts is the SIPCAST_RTP_PORTS value.
func (c Config) sipcastPorts() string {
	return fmt.Sprintf("%d-%d", c.RTPPorts, c.relayPorts()-1)
}

// relayPorts is the first port of the ffmpeg relays' range, just above
// sipcast's.
func (c Config) relayPorts() int {
	return c.RTPPorts + portsPerCall*(c.Calls+spareCalls)
}
