// Package ui is sipcast's browser front end, embedded in the binary: the calls page at / (every
// call, live from /rest-api/events, with a muted WHEP preview and its actions) and a player at
// /play/{toStream}. Plain HTML, CSS and JavaScript, no build step.
package ui

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

//go:embed static
var files embed.FS

// Register serves the page at /, the player at /play/{toStream} and their files under /ui/.
func Register(app fiber.Router) {
	static, _ := fs.Sub(files, "static")
	page := func(name string) fiber.Handler {
		body, _ := fs.ReadFile(static, name)
		return func(c *fiber.Ctx) error {
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			c.Set(fiber.HeaderCacheControl, "no-cache")
			return c.Send(body)
		}
	}
	app.Get("/", page("index.html"))
	app.Get("/play/:stream", page("play.html"))
	app.Use("/ui", filesystem.New(filesystem.Config{Root: http.FS(static), MaxAge: 60,
		Next: func(c *fiber.Ctx) bool { return strings.HasSuffix(c.Path(), ".html") }}))
}
