package peers

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	// sippStartTimeout bounds the wait for SIPp to bind its SIP port.
	sippStartTimeout = 10 * time.Second
	// sippDefaultTimeout is SIPp's own global timeout (-timeout), so that a
	// SIPp orphaned by a crashed harness still ends.
	sippDefaultTimeout = 5 * time.Minute
	// logTail is how much of each log a failure report shows.
	logTail = 4000
)

// SIPp is a running SIPp acting as the called device (UAS) on 127.0.0.1.
type SIPp struct {
	// Port is the SIP port the gateway sends its INVITE to.
	Port int
	// MediaPort is -mp: the SDP answer's audio port ([media_port]); video
	// is MediaPort+2. SIPp binds both.
	MediaPort int
	// Dir is SIPp's working directory: the media files are linked here
	// (scenarios name them relative to it) and the logs are written here.
	Dir string
	// Scenario is the absolute path of the scenario file.
	Scenario string

	proc *proc
}

// SIPpOption configures StartSIPpUAS.
type SIPpOption func(*sippConfig)

type sippConfig struct {
	port      int               // default: FreeUDPPort (FreeTCPPort for TCP)
	mediaPort int               // default: FreeUDPPorts(4)
	transport string            // default "u1": UDP, one socket
	calls     int               // default 1 (-m)
	timeout   time.Duration     // default sippDefaultTimeout (-timeout, -timeout_error)
	media     map[string]string // extra or replacement media links: name → path
	args      []string
}

// WithSIPPort sets the SIP port instead of a free one.
func WithSIPPort(port int) SIPpOption { return func(c *sippConfig) { c.port = port } }

// WithMediaPort sets -mp instead of a free even port with three free above it.
func WithMediaPort(port int) SIPpOption { return func(c *sippConfig) { c.mediaPort = port } }

// WithTransport sets SIPp's -t mode, e.g. "u1" (default) or "t1" for TCP.
func WithTransport(mode string) SIPpOption { return func(c *sippConfig) { c.transport = mode } }

// WithCalls sets -m, the number of calls after which SIPp exits (default 1).
func WithCalls(n int) SIPpOption { return func(c *sippConfig) { c.calls = n } }

// WithSIPpTimeout sets SIPp's global -timeout (rounded up to whole seconds;
// default 5 min); reaching it makes SIPp exit with an error.
func WithSIPpTimeout(d time.Duration) SIPpOption { return func(c *sippConfig) { c.timeout = d } }

// WithMedia links path into SIPp's working directory as name, adding a
// file or replacing one of bench/testmedia (e.g. name "h264.pcap").
func WithMedia(name, path string) SIPpOption {
	return func(c *sippConfig) { c.media[name] = path }
}

// WithSIPpArgs appends raw SIPp arguments (e.g. "-key", "k", "v").
func WithSIPpArgs(args ...string) SIPpOption {
	return func(c *sippConfig) { c.args = append(c.args, args...) }
}

// StartSIPpUAS runs SIPp with a UAS scenario as a child process in the
// foreground and waits until it listens:
//
//	sipp -sf SCENARIO -i 127.0.0.1 -mi 127.0.0.1 -p PORT -mp MEDIAPORT -m 1
//	     -t u1 -cp CTRLPORT -aa -nostdin -timeout 300s -timeout_error
//	     -trace_msg -trace_err -trace_screen (logs in Dir)
//
// scenario is a bare name in bench/sipp (e.g. "uas_busy.xml") or a path.
// SIPp runs in Dir, where every file of bench/testmedia is linked, because
// rtp_stream and play_pcap_* open the names in the scenario relative to
// the working directory. SIPp is stopped when the test ends.
func StartSIPpUAS(t testing.TB, scenario string, opts ...SIPpOption) *SIPp {
	t.Helper()
	RequireTools(t, "sipp")
	c := sippConfig{transport: "u1", calls: 1, timeout: sippDefaultTimeout, media: map[string]string{}}
	for _, o := range opts {
		o(&c)
	}
	tcp := strings.HasPrefix(c.transport, "t")
	if c.port == 0 {
		if tcp {
			c.port = FreeTCPPort(t)
		} else {
			c.port = FreeUDPPort(t)
		}
	}
	if c.mediaPort == 0 {
		c.mediaPort = FreeUDPPorts(t, 4)
	}
	sf, err := ScenarioPath(scenario)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sf); err != nil {
		t.Fatalf("scenario: %v", err)
	}
	if xml, err := os.ReadFile(sf); err == nil && strings.Contains(string(xml), "play_pcap") && os.Geteuid() != 0 {
		t.Logf("sipp: %s uses play_pcap, which needs root or CAP_NET_RAW on sipp", filepath.Base(sf))
	}
	dir := t.TempDir()
	if err := linkMedia(dir, c.media); err != nil {
		t.Fatal(err)
	}

	args := []string{
		"-sf", sf,
		"-i", "127.0.0.1", "-mi", "127.0.0.1",
		"-p", strconv.Itoa(c.port), "-mp", strconv.Itoa(c.mediaPort),
		"-t", c.transport,
		"-m", strconv.Itoa(c.calls),
		// The control socket otherwise takes 8888 or the next free port.
		"-cp", strconv.Itoa(FreeUDPPort(t)),
		"-aa", // answer in-call OPTIONS/INFO/NOTIFY/UPDATE with 200
		"-nostdin",
		// Whole seconds: SIPp 3.6 reads "-timeout 800ms" as 800 minutes.
		"-timeout", fmt.Sprintf("%ds", max(int64((c.timeout+time.Second-1)/time.Second), 1)), "-timeout_error",
		"-trace_msg", "-message_file", filepath.Join(dir, "messages.log"),
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"),
		"-trace_screen", "-screen_file", filepath.Join(dir, "screen.log"),
		"-trace_logs", "-log_file", filepath.Join(dir, "logs.log"),
	}
	args = append(args, c.args...)
	cmd := exec.Command("sipp", args...)
	cmd.Dir = dir
	// The foreground screen is redrawn every second; keep it out of the way.
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	p, err := startProc(cmd)
	if err != nil {
		t.Fatalf("start sipp: %v", err)
	}
	s := &SIPp{Port: c.port, MediaPort: c.mediaPort, Dir: dir, Scenario: sf, proc: p}
	t.Cleanup(s.Stop)
	t.Logf("sipp %s on 127.0.0.1:%d, media %d, dir %s", filepath.Base(sf), c.port, c.mediaPort, dir)

	proto := "udp"
	if tcp {
		proto = "tcp"
	}
	if err := waitBound(p, proto, c.port, sippStartTimeout); err != nil {
		s.Stop()
		t.Fatalf("sipp did not start: %v\n%s", err, s.logs())
	}
	return s
}

// linkMedia symlinks every media file of MediaDirs, then the overrides, into dir.
func linkMedia(dir string, overrides map[string]string) error {
	dirs, err := MediaDirs()
	if err != nil {
		return err
	}
	links := map[string]string{}
	for _, md := range dirs {
		entries, err := os.ReadDir(md)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); ext == ".pcap" || ext == ".ulaw" || ext == ".alaw" || ext == ".raw" {
				links[e.Name()] = filepath.Join(md, e.Name())
			}
		}
	}
	for name, path := range overrides {
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		links[name] = abs
	}
	for name, path := range links {
		if err := os.Symlink(path, filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

// Wait waits up to timeout for SIPp to exit. It returns nil when SIPp
// exits 0 (every call of the scenario succeeded); otherwise an error
// wrapping ErrExited (with the exit code) or ErrWaitTimeout (SIPp is then
// stopped), followed by the tails of SIPp's logs.
func (s *SIPp) Wait(timeout time.Duration) error {
	select {
	case <-s.proc.done:
	case <-time.After(timeout):
		s.Stop()
		return fmt.Errorf("sipp %s: %w after %v\n%s", filepath.Base(s.Scenario), ErrWaitTimeout, timeout, s.logs())
	}
	if code := s.proc.exitCode(); code != 0 {
		return fmt.Errorf("sipp %s: %w: exit code %d (%s)\n%s",
			filepath.Base(s.Scenario), ErrExited, code, sippExitMeaning(code), s.logs())
	}
	return nil
}

// Exited reports whether SIPp has ended.
func (s *SIPp) Exited() bool { return s.proc.exited() }

// Messages returns the -trace_msg log: every SIP message sent and received
// so far, e.g. to assert that "BYE sip:" was received.
func (s *SIPp) Messages() string { return readFile(filepath.Join(s.Dir, "messages.log")) }

// Errors returns the -trace_err log of unexpected messages.
func (s *SIPp) Errors() string { return readFile(filepath.Join(s.Dir, "errors.log")) }

// Stop ends SIPp (SIGTERM, then SIGKILL to its process group). It is safe
// to call more than once; the test's clean-up calls it too.
func (s *SIPp) Stop() { s.proc.terminate(syscall.SIGTERM) }

// logs returns the tails of the error, screen and message logs.
func (s *SIPp) logs() string {
	var b strings.Builder
	for _, f := range []string{"errors.log", "screen.log", "stdout.log", "messages.log"} {
		text := readFile(filepath.Join(s.Dir, f))
		if f == "stdout.log" {
			text = lastScreen(text)
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		if len(text) > logTail {
			text = "…" + text[len(text)-logTail:]
		}
		fmt.Fprintf(&b, "--- %s ---\n%s\n", f, text)
	}
	return b.String()
}

// lastScreen keeps the last statistics screen and the lines after it.
func lastScreen(out string) string {
	const marker = "------------------------------ Scenario Screen"
	if i := strings.LastIndex(out, marker); i >= 0 {
		return out[i:]
	}
	return out
}

func sippExitMeaning(code int) string {
	switch code {
	case 1:
		return "at least one call failed"
	case 97:
		return "exit on internal command, calls may have been processed"
	case 99:
		return "normal exit without calls processed"
	case -1, 255:
		return "fatal error"
	case -2, 254:
		return "fatal error binding a socket"
	}
	return "unknown"
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// waitBound polls /proc/net/{udp,tcp} until a socket is bound to
// 127.0.0.1:port (probing by binding would race with the child).
func waitBound(p *proc, proto string, port int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := bound(proto, port)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		if p.exited() {
			return fmt.Errorf("exited with code %d before binding %s port %d", p.exitCode(), proto, port)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s port %d not bound after %v", proto, port, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// bound reports whether /proc/net/PROTO lists 127.0.0.1:port or
// 0.0.0.0:port as a local address (UDP: any state; TCP: LISTEN).
func bound(proto string, port int) (bool, error) {
	f, err := os.Open("/proc/net/" + proto)
	if err != nil {
		return false, err
	}
	defer f.Close()
	want := []string{
		fmt.Sprintf("0100007F:%04X", port),
		fmt.Sprintf("00000000:%04X", port),
	}
	const tcpListen = "0A"
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || (fields[1] != want[0] && fields[1] != want[1]) {
			continue
		}
		if proto == "tcp" && fields[3] != tcpListen {
			continue
		}
		return true, nil
	}
	return false, sc.Err()
}
