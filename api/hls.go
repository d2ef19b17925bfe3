package api

import (
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// HLS is what the HLS routes need of the engine: the Low-Latency HLS of a call's toStream.
type HLS interface {
	// Serve answers one request for a file of stream's HLS (index.m3u8, segments, parts); an
	// error means nothing was written.
	Serve(stream string, w http.ResponseWriter, r *http.Request) error
}

// registerHLS serves GET /hls/{toStream}/index.m3u8 and the files it names.
func registerHLS(app *fiber.App, h HLS) {
	app.Get("/hls/:stream/:file", func(c *fiber.Ctx) error {
		stream := strings.Clone(c.Params("stream"))
		var serveErr error
		handler := adaptor.HTTPHandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			serveErr = h.Serve(stream, w, r)
		})
		if err := handler(c); err != nil {
			return err
		}
		return serveErr
	})
}
