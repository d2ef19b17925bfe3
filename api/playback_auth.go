package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/protocol/playback"
)

// tokenCookie carries a playback token from the request that brought it in ?token= to the
// ones that cannot: the HLS segments a playlist names, the WHEP session's DELETE.
const tokenCookie = "sipcast_playback"

// playbackAllowed reports whether a request may skip the REST credentials: the page's static
// files (public), or a request for one stream — /play, /whep, /hls — with a valid playback
// token for that stream (?token=, or the cookie an earlier one set).
func playbackAllowed(cfg Config, c *fiber.Ctx) bool {
	if len(cfg.PlaybackSecret) == 0 {
		return false
	}
	path := c.Path()
	if cfg.Pages && strings.HasPrefix(path, "/ui/") {
		return true
	}
	var stream string
	for _, prefix := range []string{"/play/", "/whep/", "/hls/"} {
		if rest, ok := strings.CutPrefix(path, prefix); ok {
			stream, _, _ = strings.Cut(rest, "/")
		}
	}
	if stream == "" {
		return false
	}
	token, fromQuery := c.Query("token"), true
	if token == "" {
		token, fromQuery = c.Cookies(tokenCookie), false
	}
	if playback.CheckToken(cfg.PlaybackSecret, stream, token, cfg.Now()) != nil {
		return false
	}
	if fromQuery {
		exp, _, _ := strings.Cut(token, ".")
		for _, p := range []string{"/hls/" + stream + "/", "/whep/" + stream + "/"} {
			c.Cookie(&fiber.Cookie{Name: tokenCookie, Value: token, Path: p, HTTPOnly: true, SameSite: "Lax",
				Expires: expiryOf(exp, cfg.Now())})
		}
	}
	return true
}

func expiryOf(exp string, now time.Time) time.Time {
	var unix int64
	for _, c := range exp {
		unix = unix*10 + int64(c-'0')
	}
	if unix <= now.Unix() {
		return now
	}
	return time.Unix(unix, 0)
}
