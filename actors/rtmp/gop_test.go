package rtmp

import (
	"testing"

	"github.com/sipcast/sipcast/media/frame"
)

func TestGOPCache(t *testing.T) {
	key := func() *frame.VideoFrame { return &frame.VideoFrame{Key: true, SPS: []byte{1}, PPS: []byte{2}} }
	p := func() *frame.VideoFrame { return &frame.VideoFrame{} }
	au := func() *frame.AudioFrame { return &frame.AudioFrame{} }
	for _, tc := range []struct {
		name string
		in   []any
		want int
	}{
		{"nothing before the first keyframe", []any{p(), au(), p()}, 0},
		{"keyframe and what follows", []any{p(), key(), au(), p(), au()}, 4},
		{"a new keyframe starts over", []any{key(), p(), p(), key(), au()}, 2},
		{"a keyframe without parameter sets is no start", []any{&frame.VideoFrame{Key: true}, p()}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var g gopCache
			for _, m := range tc.in {
				g.add(m)
			}
			if len(g.frames) != tc.want {
				t.Fatalf("%d frames kept, want %d", len(g.frames), tc.want)
			}
		})
	}
	var g gopCache
	g.add(key())
	for i := 0; i < maxGOPFrames+5; i++ {
		g.add(p())
	}
	if len(g.frames) != 0 {
		t.Fatalf("an over-long GOP kept %d frames", len(g.frames))
	}
	g.add(key())
	if len(g.frames) != 1 {
		t.Fatal("the next keyframe did not restart the cache")
	}
}
