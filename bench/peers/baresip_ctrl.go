package peers

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// baresipCommandTimeout bounds one ctrl_tcp exchange.
const baresipCommandTimeout = 5 * time.Second

// baresipReply is a ctrl_tcp message: a command's response, or an event baresip pushes to
// every client (which Command skips).
type baresipReply struct {
	Response bool   `json:"response"`
	OK       bool   `json:"ok"`
	Data     string `json:"data"`
	Token    string `json:"token"`
}

// Command runs a baresip command as its menu names it ("snapshot_recv", "callstat"...) with
// params, through the ctrl_tcp module (JSON in netstrings), and returns what it printed.
func (b *Baresip) Command(command, params string) (string, error) {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(b.ctrl)), baresipCommandTimeout)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrBaresipCommand, command, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(baresipCommandTimeout))
	req, err := json.Marshal(map[string]string{"command": command, "params": params, "token": "sipcast"})
	if err != nil {
		return "", err
	}
	if _, err := fmt.Fprintf(conn, "%d:%s,", len(req), req); err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrBaresipCommand, command, err)
	}
	r := bufio.NewReader(conn)
	for {
		msg, err := readNetstring(r)
		if err != nil {
			return "", fmt.Errorf("%w: %s: %w", ErrBaresipCommand, command, err)
		}
		var rep baresipReply
		if err := json.Unmarshal(msg, &rep); err != nil || !rep.Response {
			continue // an event
		}
		if !rep.OK {
			return rep.Data, fmt.Errorf("%w: %s: %s", ErrBaresipCommand, command, rep.Data)
		}
		return rep.Data, nil
	}
}

// readNetstring reads one "LEN:DATA," frame (ctrl_tcp's framing).
func readNetstring(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(head[:len(head)-1])
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("bad netstring length %q", head)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, fmt.Errorf("netstring not terminated by a comma")
	}
	return buf[:n], nil
}
