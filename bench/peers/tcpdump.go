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

	"github.com/sipcast/sipcast/demo/clip"
)

// Capture is a tcpdump recording the UDP datagrams sent to one loopback port: what a device
// (SIPp, baresip) bound there receives, for a test to decode. tcpdump needs root or
// CAP_NET_RAW, as SIPp's play_pcap does.
type Capture struct {
	path string
	proc *proc
}

// StartCapture starts tcpdump -i lo on udp dst port port and returns once it listens; it is
// stopped at the test's end if Stop was not called.
func StartCapture(t testing.TB, port int) *Capture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "capture.pcap")
	cmd := exec.Command("tcpdump", "-i", "lo", "-U", "-n", "-s", "0", "-w", path,
		"udp and dst host 127.0.0.1 and dst port "+strconv.Itoa(port))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p, err := startProc(cmd)
	if err != nil {
		t.Fatalf("tcpdump: %v", err)
	}
	c := &Capture{path: path, proc: p}
	t.Cleanup(func() { p.terminate(syscall.SIGTERM) })
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var seen []string
		for sc.Scan() {
			seen = append(seen, sc.Text())
			if strings.Contains(sc.Text(), "listening on") {
				listening <- ""
				for sc.Scan() {
				}
				return
			}
		}
		listening <- strings.Join(seen, "\n")
	}()
	select {
	case msg := <-listening:
		if msg != "" || p.exited() {
			t.Fatalf("tcpdump did not start:\n%s", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("tcpdump did not start listening within 10 s")
	}
	return c
}

// settle bounds the wait for tcpdump to write what the kernel already holds for it: on a loaded
// machine it lags, and on SIGINT it would leave the rest unread.
const settle = 5 * time.Second

// Stop ends the capture, once its file stopped growing, and returns the UDP payloads it
// recorded, in order.
func (c *Capture) Stop() ([]clip.Packet, error) {
	last, still := int64(-1), 0
	for deadline := time.Now().Add(settle); time.Now().Before(deadline) && still < 3; {
		time.Sleep(200 * time.Millisecond)
		size := int64(-1)
		if st, err := os.Stat(c.path); err == nil {
			size = st.Size()
		}
		if size == last {
			still++
		} else {
			last, still = size, 0
		}
	}
	c.proc.terminate(syscall.SIGINT) // tcpdump flushes and closes the file on SIGINT
	pkts, err := clip.ReadPCAP(c.path)
	if err != nil {
		return nil, fmt.Errorf("tcpdump capture: %w", err)
	}
	return pkts, nil
}
