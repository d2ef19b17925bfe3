package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sipcast/sipcast/protocol/playback"
)

// adminPlaybackToken prints a playback token: STREAM [TTL].
func adminPlaybackToken(cfg Config, args []string, stdout io.Writer) error {
	if cfg.PlaybackSecret == "" {
		return errors.New("playback_secret (SIPCAST_PLAYBACK_SECRET) is not set: tokens need it, and the server must have the same")
	}
	ttl := 24 * time.Hour
	if len(args) == 2 {
		d, err := time.ParseDuration(args[1])
		if err != nil || d <= 0 {
			return fmt.Errorf("TTL %q: want a positive duration like 2h or 30m", args[1])
		}
		ttl = d
	}
	fmt.Fprintln(stdout, playback.MakeToken([]byte(cfg.PlaybackSecret), args[0], time.Now().Add(ttl)))
	return nil
}
