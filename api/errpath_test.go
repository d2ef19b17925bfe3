package api

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawRequest sends req on a fresh connection and reads the answer.
func rawRequest(t *testing.T, addr, req string) (*http.Response, ErrorBody) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	var e ErrorBody
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("answer %d is not the error JSON: %q", res.StatusCode, b)
	}
	return res, e
}

// TestErrorPathOfUnreadBodies: a body fasthttp refuses before any handler runs (a chunked body
// over the limit, a malformed multipart body) still gets an error JSON that names the path it
// was sent to (issue 12: they said path "/").
func TestErrorPathOfUnreadBodies(t *testing.T) {
	app := New(Config{Logger: quiet, BodyLimit: 1024}, newFake())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	big := strings.Repeat("x", 4096)
	cases := []struct {
		name, req string
		status    int
	}{
		{"chunked over the limit", "POST /rest-api/call/startup HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
			fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(big), big), 413},
		{"length over the limit", fmt.Sprintf("POST /rest-api/call/find HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n%s", len(big), big), 413},
		{"malformed multipart", "POST /rest-api/call/terminate HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=zz\r\n" +
			"Content-Length: 20\r\n\r\n--zz\r\nbroken-part-----", 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, e := rawRequest(t, ln.Addr().String(), c.req)
			path := strings.Fields(c.req)[1]
			if res.StatusCode != c.status || e.Status != c.status || e.Path != path {
				t.Fatalf("answer %d, error JSON %+v; want %d with path %q", res.StatusCode, e, c.status, path)
			}
		})
	}
}
