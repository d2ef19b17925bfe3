package peers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// baresipStartTimeout bounds the wait for baresip to bind its SIP socket.
const baresipStartTimeout = 10 * time.Second

// Baresip is a running baresip softphone on 127.0.0.1 that answers every call: a real device
// with its own RTP timeout, RTCP, and REGISTER. Its configuration is bench/baresip/config.
type Baresip struct {
	Port int    // SIP (UDP and TCP)
	User string // the account's user: the callee to dial
	Dir  string // config, accounts, baresip.log
	proc *proc
	ctrl int // ctrl_tcp's port (Command)
}

// BaresipOption configures StartBaresip.
type BaresipOption func(*baresipConfig)

type baresipConfig struct {
	Port, CtrlPort, RTPTimeout int
	Audio, RTPPorts            string
	Snapshots                  bool   // load the snapshot module
	user                       string // default "bob"
	registrar                  string // host:port; "" registers nowhere
	password, transport        string
	audioCodecs, videoCodecs   string // account parameters; "" keeps baresip's defaults
}

// WithBaresipUser names the account's user (default "bob").
func WithBaresipUser(user string) BaresipOption { return func(c *baresipConfig) { c.user = user } }

// WithBaresipCodecs restricts the account's codecs, as baresip's audio_codecs and video_codecs
// name them (e.g. "opus/48000/2", "VP8"); "" keeps baresip's own list. Default audio: PCMU, PCMA.
func WithBaresipCodecs(audio, video string) BaresipOption {
	return func(c *baresipConfig) { c.audioCodecs, c.videoCodecs = audio, video }
}

// WithRegistrar makes baresip register user at the registrar (host:port) with password over
// transport ("udp" or "tcp"), refreshing every 60 s.
func WithRegistrar(addr, password, transport string) BaresipOption {
	return func(c *baresipConfig) { c.registrar, c.password, c.transport = addr, password, transport }
}

// WithRTPTimeout makes baresip hang up a call when no RTP arrives on a sendrecv stream for d.
func WithRTPTimeout(d time.Duration) BaresipOption {
	return func(c *baresipConfig) { c.RTPTimeout = int(d / time.Second) }
}

// WithVideoSnapshots loads baresip's snapshot module, so that Command("snapshot_recv", path)
// saves the next video frame baresip decodes as a PNG (baresip_ctrl.go).
func WithVideoSnapshots() BaresipOption { return func(c *baresipConfig) { c.Snapshots = true } }

// WithMicrophone is the WAV file baresip sends as its audio (default: 3 minutes of a 440 Hz
// tone made with ffmpeg).
func WithMicrophone(wav string) BaresipOption { return func(c *baresipConfig) { c.Audio = wav } }

// StartBaresip runs `baresip -f DIR` and waits until it listens. Without WithRegistrar the
// account is <sip:bob@127.0.0.1:PORT> (dial it directly); with it, baresip registers there.
// baresip is stopped when the test ends.
func StartBaresip(t testing.TB, opts ...BaresipOption) *Baresip {
	t.Helper()
	RequireTools(t, "baresip")
	bench, err := BenchDir()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.ParseFiles(filepath.Join(bench, "baresip", "config"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rtp := FreeUDPPorts(t, 8)
	c := baresipConfig{Port: FreeSIPPort(t), CtrlPort: FreeTCPPort(t), RTPPorts: fmt.Sprintf("%d-%d", rtp, rtp+7),
		user: "bob", audioCodecs: "pcmu,pcma"}
	for _, o := range opts {
		o(&c)
	}
	if c.Audio == "" {
		c.Audio = filepath.Join(dir, "tone.wav")
		if err := makeTone(c.Audio, 3*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(dir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	err = tmpl.Execute(f, c)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	account := fmt.Sprintf("<sip:%s@127.0.0.1:%d>;regint=0", c.user, c.Port)
	if c.registrar != "" {
		account = fmt.Sprintf("<sip:%s@%s;transport=%s>;auth_pass=%s;regint=60", c.user, c.registrar, c.transport, c.password)
	}
	account += ";answermode=auto"
	if c.audioCodecs != "" {
		account += ";audio_codecs=" + c.audioCodecs
	}
	if c.videoCodecs != "" {
		account += ";video_codecs=" + c.videoCodecs
	}
	account += "\n"
	if err := os.WriteFile(filepath.Join(dir, "accounts"), []byte(account), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(filepath.Join(dir, "baresip.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command("baresip", "-f", dir)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = out, out
	b := &Baresip{Port: c.Port, User: c.user, Dir: dir, ctrl: c.CtrlPort}
	if b.proc, err = startProc(cmd); err != nil {
		t.Fatalf("start baresip: %v", err)
	}
	t.Cleanup(b.Stop)
	if err := waitBound(b.proc, "udp", c.Port, baresipStartTimeout); err != nil {
		b.Stop()
		t.Fatalf("baresip did not start: %v\n%s", err, tail(b.Logs(), logTail))
	}
	t.Logf("baresip %s on 127.0.0.1:%d, dir %s", c.user, c.Port, dir)
	return b
}

// SIPPort is Port as the startup's sipPort takes it.
func (b *Baresip) SIPPort() string { return strconv.Itoa(b.Port) }

// WaitRegistered waits until baresip's registrar accepted its REGISTER.
func (b *Baresip) WaitRegistered(t testing.TB, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if strings.Contains(b.Logs(), "200 OK") && strings.Contains(b.Logs(), "binding") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("baresip not registered within %s:\n%s", within, tail(b.Logs(), logTail))
}

// Logs returns baresip's output.
func (b *Baresip) Logs() string { return readFile(filepath.Join(b.Dir, "baresip.log")) }

// Freeze stops baresip (SIGSTOP) so it sends nothing at all, as a device that hangs or loses its
// network; Thaw lets it go on.
func (b *Baresip) Freeze() { _ = syscall.Kill(-b.proc.cmd.Process.Pid, syscall.SIGSTOP) }

// Thaw resumes a frozen baresip.
func (b *Baresip) Thaw() { _ = syscall.Kill(-b.proc.cmd.Process.Pid, syscall.SIGCONT) }

// Stop ends baresip; safe to call more than once (a frozen one is thawed first).
func (b *Baresip) Stop() {
	b.Thaw()
	b.proc.terminate(syscall.SIGTERM)
}

// makeTone writes a mono 8 kHz WAV of a 440 Hz tone lasting d, with ffmpeg.
func makeTone(path string, d time.Duration) error {
	out, err := exec.Command("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
		fmt.Sprintf("sine=frequency=440:duration=%d", int(d.Seconds())), "-ar", "8000", "-ac", "1", path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffmpeg tone: %v: %s", err, out)
	}
	return nil
}
