package api

import (
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// requestPaths remembers the path of each request from the moment its headers are read, keyed
// by the request's header (one per fasthttp context, reused request after request). fasthttp
// resets the whole request when it fails to read a body (a chunked body over the limit, a
// malformed multipart body), and the error JSON would otherwise say path "/". An entry lives
// for one request: forgetPath runs when it ends, whichever way.
type requestPaths struct{ m sync.Map } // *fasthttp.RequestHeader → string

func (p *requestPaths) remember(h *fasthttp.RequestHeader) {
	path, _, _ := strings.Cut(string(h.RequestURI()), "?")
	p.m.Store(h, path)
}

// pathOf is the path the request was sent to, as read with its headers.
func (p *requestPaths) pathOf(c *fiber.Ctx) string {
	if v, ok := p.m.Load(&c.Context().Request.Header); ok {
		return v.(string)
	}
	return c.Path()
}

func (p *requestPaths) forget(c *fiber.Ctx) { p.m.Delete(&c.Context().Request.Header) }

// forgetPath is the first middleware: the entry goes when the request is done.
func (p *requestPaths) forgetPath(c *fiber.Ctx) error {
	defer p.forget(c)
	return c.Next()
}
