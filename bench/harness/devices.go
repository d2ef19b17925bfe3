package harness

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sipcast/sipcast/demo/device"
)

// DeviceCommand is the first argument that makes the harness executable run
// as a device process (see DeviceMain).
const DeviceCommand = "device"

// deviceReadyPrefix starts the line a device process prints once its SIP
// socket is bound; the address follows.
const deviceReadyPrefix = "listening "

// deviceStartTimeout bounds a device process's start-up.
const deviceStartTimeout = 10 * time.Second

// DeviceMain runs one simulated-device process: a demo/device callee on
// -addr that answers every call and streams the recorded H.264 + µ-law
// media until the caller hangs up. It prints "listening IP:PORT" once
// bound and stops (hanging up its calls) on SIGTERM, SIGINT or when stdin
// closes — the harness holds stdin, so the device never outlives it.
// It returns the process exit code.
func DeviceMain(args []string) int {
	fs := flag.NewFlagSet(DeviceCommand, flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "SIP address to listen on (port 0: any)")
	level := fs.String("log-level", "warn", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintln(os.Stderr, "device:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	d, err := device.New(device.Config{Addr: *addr, Logger: log})
	if err != nil {
		log.Error("device", "err", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	if err := d.Start(ctx); err != nil {
		log.Error("device", "err", err)
		return 1
	}
	fmt.Println(deviceReadyPrefix + d.Addr().String())
	<-ctx.Done()
	if err := d.Close(); err != nil {
		log.Error("device close", "err", err)
		return 1
	}
	return 0
}

// deviceProc is a running device process.
type deviceProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  *net.UDPAddr
	done  chan struct{}
}

// startDevices starts n device processes (`self device`), logging to dir,
// and waits until each is listening.
func startDevices(ctx context.Context, self, dir string, n int) ([]*deviceProc, error) {
	var devs []*deviceProc
	for i := range n {
		d, err := startDevice(ctx, self, filepath.Join(dir, fmt.Sprintf("device-%d.log", i)))
		if err != nil {
			stopDevices(devs)
			return nil, err
		}
		devs = append(devs, d)
	}
	return devs, nil
}

func startDevice(ctx context.Context, self, logPath string) (*deviceProc, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(self, DeviceCommand)
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	d := &deviceProc{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), deviceReadyPrefix); ok {
				ready <- a
			}
		}
		_ = cmd.Wait()
		close(d.done)
	}()
	select {
	case a := <-ready:
		if d.addr, err = net.ResolveUDPAddr("udp", a); err != nil {
			d.stop()
			return nil, err
		}
		return d, nil
	case <-d.done:
		return nil, fmt.Errorf("%w: device exited at start:\n%s", ErrNotReady, tail(logPath, 10))
	case <-time.After(deviceStartTimeout):
	case <-ctx.Done():
	}
	d.stop()
	return nil, errors.Join(ErrNotReady, ctx.Err())
}

func (d *deviceProc) pid() int { return d.cmd.Process.Pid }

// stop closes stdin (the device hangs up its calls and exits), then kills
// the process if it is still there after a grace period.
func (d *deviceProc) stop() {
	_ = d.stdin.Close()
	select {
	case <-d.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-d.done
	}
}

func stopDevices(devs []*deviceProc) {
	for _, d := range devs {
		d.stop()
	}
}
