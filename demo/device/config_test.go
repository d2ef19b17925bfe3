package device

import (
	"errors"
	"testing"
	"time"
)

func TestConfigDefaults(t *testing.T) {
	cfg, err := Config{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != DefaultAddr || cfg.AnswerCode != 200 || cfg.Logger == nil || !cfg.answers() {
		t.Errorf("defaults = %+v", cfg)
	}
}

func TestConfigRejects(t *testing.T) {
	for _, cfg := range []Config{
		{Addr: "0.0.0.0:5070"},
		{Addr: "localhost:5070"},
		{Addr: "127.0.0.1"},
		{AnswerCode: 180},
		{AnswerCode: 700},
		{RingFor: -time.Second},
		{HangupAfter: -time.Second},
	} {
		if _, err := New(cfg); !errors.Is(err, ErrBadConfig) {
			t.Errorf("New(%+v) = %v, want ErrBadConfig", cfg, err)
		}
	}
}
