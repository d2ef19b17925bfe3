package clusterfront

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/protocol/callapi"
)

// HeaderLocal marks a request one node sends another: answer from your own calls only, never
// forward or fan out again (its value is the sending node's id, for the logs). A client that
// sets it only narrows its own answer.
const HeaderLocal = "X-Sipcast-Cluster-Local"

// maxAnswer bounds a node's answer read by another: a find_all of thousands of calls fits.
const maxAnswer = 32 << 20

type ctxKey struct{}

// request is what the middleware keeps of a REST request for the forwarding layer.
type request struct {
	local bool
	body  []byte
}

// Middleware marks requests from other nodes (and every route that is not a call or push
// method: health and metrics are this node's) as local, and keeps the body to pass on.
func Middleware(c *fiber.Ctx) error {
	path := c.Path()
	routed := strings.HasPrefix(path, "/rest-api/call/") || strings.HasPrefix(path, "/rest-api/push/")
	r := &request{local: c.Get(HeaderLocal) != "" || !routed, body: append([]byte(nil), c.Body()...)}
	c.SetUserContext(context.WithValue(c.UserContext(), ctxKey{}, r))
	return c.Next()
}

func requestOf(ctx context.Context) *request {
	r, _ := ctx.Value(ctxKey{}).(*request)
	return r
}

// isLocal: answer from this node only. A context without the middleware's mark (the engine
// used directly, as the drain does) is local too.
func isLocal(ctx context.Context) bool {
	r := requestOf(ctx)
	return r == nil || r.local
}

// rawBody is the request's body as the client sent it, or nil.
func rawBody(ctx context.Context) []byte {
	if r := requestOf(ctx); r != nil {
		return r.body
	}
	return nil
}

// RemoteError is another node's error answer, passed on with its status and message: the
// client sees what the owner said.
type RemoteError struct {
	Node    string
	Status  int
	Message string
}

func (e *RemoteError) Error() string { return e.Message }

// Unwrap classifies the answer with the REST contract's sentinels, so the error handler gives
// the same status.
func (e *RemoteError) Unwrap() error {
	switch e.Status {
	case http.StatusBadRequest:
		return callapi.ErrInvalid
	case http.StatusNotFound:
		return callapi.ErrNotFound
	case http.StatusConflict:
		return callapi.ErrConflict
	case http.StatusBadGateway:
		return callapi.ErrDTMFFailed
	}
	return callapi.ErrUnavailable
}

// post sends body to path on a node and decodes its 200 answer into out (when not nil).
func (f *Front) post(ctx context.Context, nodeID, baseURL, path string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(baseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%w: node %q URL %q: %v", ErrNodeUnreachable, nodeID, baseURL, err)
	}
	req.Header.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	req.Header.Set(HeaderLocal, f.self)
	if f.cfg.User != "" {
		req.SetBasicAuth(f.cfg.User, f.cfg.Password)
	}
	resp, err := f.cfg.Client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: node %q: %v: %w", ErrNodeUnreachable, nodeID, err, callapi.ErrUnavailable)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("%w: node %q: %v: %w", ErrNodeUnreachable, nodeID, err, callapi.ErrUnavailable)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		if out == nil || len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%w: node %q answered unreadable JSON: %v: %w", ErrNodeUnreachable, nodeID, err, callapi.ErrUnavailable)
		}
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return &RemoteError{Node: nodeID, Status: http.StatusServiceUnavailable,
			Message: fmt.Sprintf("cluster: node %q refused this node's credentials (SIPCAST_CLUSTER_USER/PASSWORD)", nodeID)}
	}
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(data, &e) != nil || e.Message == "" {
		e.Message = fmt.Sprintf("node %q answered %d", nodeID, resp.StatusCode)
	}
	return &RemoteError{Node: nodeID, Status: resp.StatusCode, Message: e.Message}
}

// notFound reports a 404, local or remote: the next node may have it.
func notFound(err error) bool { return errors.Is(err, callapi.ErrNotFound) }

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v) // maps of decoded JSON and strings: cannot fail
	return b
}
