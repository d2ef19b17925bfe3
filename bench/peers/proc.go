package peers

import (
	"errors"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long a stopped process gets between SIGTERM and SIGKILL.
const stopGrace = 3 * time.Second

// proc is a child process in its own process group.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // cmd.Wait's result, valid once done is closed
	stop sync.Once
}

// startProc starts cmd in a new process group that is SIGKILLed if the
// starting thread dies, so a crashed test binary leaves nothing behind.
func startProc(cmd *exec.Cmd) (*proc, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if cmd.Stdin == nil {
		f, err := os.Open(os.DevNull)
		if err != nil {
			return nil, err
		}
		cmd.Stdin = f
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode returns the exit code once the process has exited (-1 when it
// was killed by a signal).
func (p *proc) exitCode() int {
	<-p.done
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		return -1
	}
	return 0
}

// terminate sends sig to the process group, waits up to stopGrace, then
// kills the group. It is safe to call more than once.
func (p *proc) terminate(sig syscall.Signal) {
	p.stop.Do(func() {
		pgid := p.cmd.Process.Pid
		if !p.exited() {
			_ = syscall.Kill(-pgid, sig)
			select {
			case <-p.done:
			case <-time.After(stopGrace):
			}
		}
		// Whatever is left in the group (nginx workers, helpers) goes too.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	})
}
