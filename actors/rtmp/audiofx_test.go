package rtmp

import (
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/sipcast/sipcast/media/frame"
	"github.com/sipcast/sipcast/media/g711"
)

func TestAudioFxG711(t *testing.T) {
	tracks := &frame.Tracks{Audio: frame.PCMU}
	fx, err := newAudioFx(tracks)
	if err != nil {
		t.Fatal(err)
	}
	silence := fx.silent(160)
	if len(silence) != 160 || g711.DecodeUlaw(nil, silence[:1])[0] != 0 {
		t.Fatalf("silence %v", silence[:4])
	}
	k := &kept{sound: &Sound{Samples: []int16{1000, 2000, 3000}, Rate: 8000, Loop: true}}
	got := g711.DecodeUlaw(nil, fx.soundG711(k, 5))
	// Looping: 1000 2000 3000 1000 2000 (µ-law is lossy: compare coarsely).
	for i, want := range []int16{1000, 2000, 3000, 1000, 2000} {
		if d := got[i] - want; d > 100 || d < -100 {
			t.Fatalf("sample %d = %d, want ~%d", i, got[i], want)
		}
	}
	k.sound.Loop = false
	fx.pos = 2
	if got := g711.DecodeUlaw(nil, fx.soundG711(k, 3)); got[1] != 0 || got[2] != 0 {
		t.Fatalf("after the end of a non-looping sound: %v, want silence", got)
	}
}

func TestAudioFxAAC(t *testing.T) {
	tracks := &frame.Tracks{Audio: frame.AAC, AAC: &mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: 8000, ChannelCount: 1}}
	fx, err := newAudioFx(tracks)
	if err != nil {
		t.Fatal(err)
	}
	defer fx.enc.Close()
	if len(fx.silent(0)) == 0 {
		t.Fatal("no silent AAC frame")
	}
	k := &kept{sound: &Sound{Samples: make([]int16, 8000), Rate: 8000, Loop: true}}
	for i := 0; i < 10; i++ {
		if len(fx.soundAAC(k)) == 0 {
			t.Fatalf("frame %d empty", i)
		}
	}
}
