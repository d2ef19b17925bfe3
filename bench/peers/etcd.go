package peers

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// EtcdBinary is Debian's etcd server (package etcd-server).
const EtcdBinary = "etcd"

// etcdStartTimeout bounds the wait for etcd to take client connections; a loaded CI box needs a
// few seconds for the first raft election even of a one-member cluster.
const etcdStartTimeout = 20 * time.Second

// Etcd is a running one-member etcd on 127.0.0.1 with its own data directory. It can be stopped
// and started again on the same ports and data, as an operator's etcd restarting.
type Etcd struct {
	ClientPort int
	PeerPort   int
	Dir        string
	t          testing.TB
	proc       *proc
}

// StartEtcd starts etcd on free loopback ports; it is stopped when the test ends.
func StartEtcd(t testing.TB) *Etcd {
	t.Helper()
	RequireTools(t, EtcdBinary)
	e := &Etcd{ClientPort: FreeTCPPort(t), PeerPort: FreeTCPPort(t), Dir: t.TempDir(), t: t}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Stop)
	return e
}

// Endpoint is the client URL (SIPCAST_CLUSTER_ETCD).
func (e *Etcd) Endpoint() string { return fmt.Sprintf("http://127.0.0.1:%d", e.ClientPort) }

// Start starts (or starts again) the server and waits until it takes TCP connections.
func (e *Etcd) Start() error {
	client := e.Endpoint()
	peer := fmt.Sprintf("http://127.0.0.1:%d", e.PeerPort)
	// The flags are etcd 3.4's (Debian bookworm); every address is loopback.
	cmd := exec.Command(EtcdBinary,
		"--name", "test", "--data-dir", filepath.Join(e.Dir, "data"),
		"--listen-client-urls", client, "--advertise-client-urls", client,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "test="+peer, "--initial-cluster-state", "new",
		"--log-outputs", filepath.Join(e.Dir, "etcd.log"), "--logger", "zap")
	// etcd 3.4 refuses architectures other than amd64 unless told it may.
	cmd.Env = append(os.Environ(), "ETCD_UNSUPPORTED_ARCH="+runtime.GOARCH)
	p, err := startProc(cmd)
	if err != nil {
		return fmt.Errorf("start etcd: %w", err)
	}
	e.proc = p
	deadline := time.Now().Add(etcdStartTimeout)
	for time.Now().Before(deadline) {
		if p.exited() {
			return fmt.Errorf("etcd exited (code %d): %s", p.exitCode(), tail(e.Logs(), 2000))
		}
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(e.ClientPort), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.terminate(syscall.SIGKILL)
	return fmt.Errorf("etcd did not listen on %s within %v: %s", client, etcdStartTimeout, tail(e.Logs(), 2000))
}

// Stop kills the server (SIGKILL: an etcd that vanishes, not one that says goodbye).
func (e *Etcd) Stop() {
	if e.proc != nil {
		e.proc.terminate(syscall.SIGKILL)
	}
}

// Logs returns etcd's log.
func (e *Etcd) Logs() string { return readFile(filepath.Join(e.Dir, "etcd.log")) }
