package api

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/wav"
	"github.com/sipcast/sipcast/protocol/callapi"
	"github.com/sipcast/sipcast/protocol/rtmpurl"
)

// Pushes is what the /push methods need of the engine. The engine implements it; New registers
// the routes only when the Calls it is given does too.
type Pushes interface {
	StartPush(ctx context.Context, spec callapi.PushStart, sound *frame.Sound) (callapi.Push, error)
	FindPushes(ctx context.Context, streamName, rtmpURL string) ([]callapi.Push, error)
	PushCommand(ctx context.Context, id string, op callapi.PushOp, sound *frame.Sound) (callapi.Push, error)
}

// ErrSoundFile: a sound file that is not in the sounds folder, does not exist, or is not a WAV
// sipcast can read (400).
var ErrSoundFile = errors.New("sound file")

// DefaultPushPrefix is put in front of a pushed stream's name on the RTMP server: the
// original's clients open rtmpUrl + "/rtmp_" + streamName.
const DefaultPushPrefix = "rtmp_"

type pushHandlers struct {
	pushes Pushes
	prefix string
	sounds string
}

func registerPush(r fiber.Router, p Pushes, cfg Config) {
	h := &pushHandlers{pushes: p, prefix: cfg.PushPrefix, sounds: cfg.SoundsDir}
	r.Post("/push/startup", h.startup)
	r.Post("/push/find", h.find)
	r.Post("/push/find_all", h.findAll)
	r.Post("/push/terminate", h.op(callapi.PushTerminate))
	r.Post("/push/mute", h.op(callapi.PushMute))
	r.Post("/push/unmute", h.op(callapi.PushUnmute))
	r.Post("/push/sound_on", h.op(callapi.PushSoundOn))
	r.Post("/push/sound_off", h.op(callapi.PushSoundOff))
}

// startup: POST /rest-api/push/startup {streamName, rtmpUrl, options} → 200 push | 400 | 404 | 409.
func (h *pushHandlers) startup(c *fiber.Ctx) error {
	spec, err := callapi.ParsePushStart(c.Body(), h.prefix)
	if err != nil {
		return err
	}
	var sound *frame.Sound
	if spec.SoundFile != "" {
		if sound, err = h.loadSound(spec.SoundFile, spec.SoundLoop); err != nil {
			return err
		}
	}
	p, err := h.pushes.StartPush(c.UserContext(), spec, sound)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// find: POST /rest-api/push/find {streamName, rtmpUrl} → 200 [pushes] | 404.
func (h *pushHandlers) find(c *fiber.Ctx) error {
	r, err := callapi.ParsePushRequest(c.Body(), false)
	if err != nil {
		return err
	}
	// Pushes keep their rtmpUrl masked (rtmpurl.Redact); the filter is masked the same way.
	rawURL := strings.TrimSpace(string(r.RTMPURL))
	if masked := rtmpurl.Redact(rawURL); masked != "" {
		rawURL = masked
	}
	return h.list(c, strings.TrimSpace(string(r.StreamName)), rawURL)
}

// findAll: POST /rest-api/push/find_all → 200 [pushes] | 404.
func (h *pushHandlers) findAll(c *fiber.Ctx) error { return h.list(c, "", "") }

func (h *pushHandlers) list(c *fiber.Ctx, name, url string) error {
	ps, err := h.pushes.FindPushes(c.UserContext(), name, url)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return fmt.Errorf("%w: no push matches", callapi.ErrNotFound)
	}
	return c.JSON(ps)
}

// op handles the methods that act on one push named by mediaSessionId.
func (h *pushHandlers) op(op callapi.PushOp) fiber.Handler {
	return func(c *fiber.Ctx) error {
		r, err := callapi.ParsePushRequest(c.Body(), true)
		if err != nil {
			return err
		}
		var sound *frame.Sound
		if op == callapi.PushSoundOn {
			file := strings.TrimSpace(string(r.SoundFile))
			if file == "" {
				return fmt.Errorf("%w: soundFile", callapi.ErrMissing)
			}
			if sound, err = h.loadSound(file, r.Loop.Or(false)); err != nil {
				return err
			}
		}
		p, err := h.pushes.PushCommand(c.UserContext(), strings.TrimSpace(string(r.MediaSessionID)), op, sound)
		if err != nil {
			return err
		}
		return c.JSON(p)
	}
}

// loadSound reads a WAV from the sounds folder. A name that leads outside it (absolute, "..",
// or a link pointing out) is refused: the REST client must not read the server's files.
func (h *pushHandlers) loadSound(name string, loop bool) (*frame.Sound, error) {
	if h.sounds == "" {
		return nil, fmt.Errorf("%w: no sounds folder configured (SIPCAST_SOUNDS_DIR)", ErrSoundFile)
	}
	root, err := filepath.EvalSymlinks(h.sounds)
	if err != nil {
		return nil, fmt.Errorf("%w: sounds folder: %v", ErrSoundFile, err)
	}
	if filepath.IsAbs(name) || !filepath.IsLocal(name) {
		return nil, fmt.Errorf("%w: %q is not a name inside the sounds folder", ErrSoundFile, name)
	}
	path, err := filepath.EvalSymlinks(filepath.Join(root, name))
	if err != nil {
		return nil, fmt.Errorf("%w: %q: not found", ErrSoundFile, name)
	}
	if rel, err := filepath.Rel(root, path); err != nil || !filepath.IsLocal(rel) {
		return nil, fmt.Errorf("%w: %q leads outside the sounds folder", ErrSoundFile, name)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrSoundFile, name, err)
	}
	samples, rate, err := wav.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrSoundFile, name, err)
	}
	return &frame.Sound{Name: name, Samples: samples, Rate: rate, Loop: loop}, nil
}
