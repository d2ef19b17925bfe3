package testutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"
)

// ErrNotReady: the sipcast process exited at start or its REST API never answered.
var ErrNotReady = errors.New("sipcast not ready")

// stopGrace is how long Stop waits for a SIGTERM drain (BYEs sent, streams closed) before it
// kills the process group.
const stopGrace = 20 * time.Second

// Process is a sipcast binary running on loopback, its output in a log file.
type Process struct {
	Cmd *exec.Cmd
	// REST is the base URL of its REST API, e.g. http://127.0.0.1:40123.
	REST    string
	LogPath string
	done    chan struct{}
}

// Options says how to run sipcast. Ports are the caller's choice so that the e2e tests and the
// harness can pick them their own way.
type Options struct {
	Bin      string
	LogPath  string
	RESTPort int
	SIPPort  int
	// Env adds or overrides settings after the defaults below.
	Env []string
	// StartTimeout bounds the wait for REST; default 15 s.
	StartTimeout time.Duration
}

// Start runs sipcast in the dev profile on 127.0.0.1 with the RTMP server and the demo callee
// off and JSON logs, then waits until its REST API answers. The process is in its own group
// and dies with the caller.
func Start(ctx context.Context, o Options) (*Process, error) {
	if o.StartTimeout == 0 {
		o.StartTimeout = 15 * time.Second
	}
	logFile, err := os.Create(o.LogPath)
	if err != nil {
		return nil, err
	}
	p := &Process{REST: "http://127.0.0.1:" + strconv.Itoa(o.RESTPort), LogPath: o.LogPath, done: make(chan struct{})}
	p.Cmd = exec.Command(o.Bin)
	p.Cmd.Env = append(os.Environ(),
		"SIPCAST_PROFILE=dev", "SIPCAST_SIP_IP=127.0.0.1",
		"SIPCAST_REST_PORT="+strconv.Itoa(o.RESTPort),
		"SIPCAST_SIP_PORT="+strconv.Itoa(o.SIPPort),
		"SIPCAST_RTMP_SERVER=off", "SIPCAST_DEMO_DEVICE=off", "SIPCAST_LOG_FORMAT=json")
	p.Cmd.Env = append(p.Cmd.Env, o.Env...)
	p.Cmd.Stdout, p.Cmd.Stderr = logFile, logFile
	p.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := p.Cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	go func() { _ = p.Cmd.Wait(); logFile.Close(); close(p.done) }()

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(o.StartTimeout)
	for {
		if res, err := client.Post(p.REST+"/rest-api/call/find_all", "application/json", nil); err == nil {
			res.Body.Close()
			return p, nil
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%w: sipcast exited at start:\n%s", ErrNotReady, p.Tail(20))
		case <-ctx.Done():
			p.Kill()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Kill()
			return nil, fmt.Errorf("%w: REST not up after %v:\n%s", ErrNotReady, o.StartTimeout, p.Tail(20))
		}
	}
}

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Pid is the process id.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Stop ends sipcast gracefully (SIGTERM drains its calls), then kills it after stopGrace.
func (p *Process) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(stopGrace):
		p.Kill()
	}
}

// Kill ends the process group at once.
func (p *Process) Kill() {
	_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
}

// Logs is everything sipcast wrote so far.
func (p *Process) Logs() string {
	b, _ := os.ReadFile(p.LogPath)
	return string(b)
}

// Tail is the last n lines of the log, for error messages.
func (p *Process) Tail(n int) string { return TailFile(p.LogPath, n) }

// TailFile returns the last n lines of a file (or the error reading it).
func TailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
