package rtmpserver

import (
	"testing"

	"github.com/bluenviron/gortmplib"
	"github.com/bluenviron/gortmplib/pkg/codecs"
)

// step is one frame the publisher delivers, in the order of a case table.
type step struct {
	video bool
	key   bool
}

var (
	vKey  = step{video: true, key: true}
	vDiff = step{video: true}
	audio = step{}
)

// drain returns what a player's queue holds: "T" for tracks, "K"/"P" for video
// key/non-key frames, "A" for audio (told apart by the frame's track index).
func drain(p *player) string {
	out := ""
	for {
		select {
		case it := <-p.queue:
			switch {
			case it.tracks != nil:
				out += "T"
			case it.frame.track == 1:
				out += "A"
			case it.frame.pts == 1:
				out += "K"
			default:
				out += "P"
			}
		default:
			return out
		}
	}
}

func testTracks(video bool) []*gortmplib.Track {
	a := &gortmplib.Track{Codec: &codecs.MPEG4Audio{}}
	if !video {
		return []*gortmplib.Track{{Codec: &codecs.G711{MULaw: true}}, a}
	}
	return []*gortmplib.Track{{Codec: &codecs.H264{}}, a}
}

func feed(st *stream, steps ...step) {
	for _, s := range steps {
		f := frame{track: 0}
		if !s.video {
			f.track = 1
		} else if s.key {
			f.pts = 1 // marks a keyframe for drain
		}
		st.deliver(f, s.video, s.key)
	}
}

func TestOfferStartsOnKeyframeWithTracks(t *testing.T) {
	cases := []struct {
		name  string
		video bool
		queue int
		steps []step
		want  string
	}{
		{"waits for keyframe, audio too", true, 16, []step{audio, vDiff, audio, vKey, audio, vDiff}, "TKAP"},
		{"audio-only stream starts at once", false, 16, []step{audio, audio}, "TAA"},
		{"overflow drops until next keyframe", true, 3, []step{vKey, vDiff, vDiff, vDiff, audio, vKey}, "TKP"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &stream{key: "live/x", players: map[*player]struct{}{}}
			p := newPlayer(nil, nil, c.queue, 0)
			st.players[p] = struct{}{}
			tracks := testTracks(true)
			if !c.video {
				// Two audio tracks: index 1 is the one drain calls "A".
				tracks = []*gortmplib.Track{{Codec: &codecs.Opus{}}, {Codec: &codecs.MPEG4Audio{}}}
			}
			st.setTracks(tracks)
			feed(st, c.steps...)
			if got := drain(p); got != c.want {
				t.Errorf("queue = %q, want %q", got, c.want)
			}
		})
	}
}

func TestOfferResumesAfterOverflowWithoutNewTracks(t *testing.T) {
	st := &stream{key: "live/x", players: map[*player]struct{}{}}
	p := newPlayer(nil, nil, 3, 0)
	st.players[p] = struct{}{}
	st.setTracks(testTracks(true))

	feed(st, vKey, vDiff, vDiff, vDiff) // the 4th overflows
	if got := drain(p); got != "TKP" {
		t.Fatalf("first run = %q, want TKP", got)
	}
	feed(st, vDiff, audio, vKey, vDiff)
	if got := drain(p); got != "KP" {
		t.Errorf("after overflow = %q, want KP (no tracks again, restart at keyframe)", got)
	}
	if st.dropped != 1 {
		t.Errorf("dropped = %d, want 1 (skipped frames are not counted)", st.dropped)
	}
	if st.videoFrames != 7 || st.audioFrames != 1 {
		t.Errorf("counted %d video, %d audio; want 7, 1", st.videoFrames, st.audioFrames)
	}
}

func TestReplaceTrackRestartsPlayers(t *testing.T) {
	st := &stream{key: "live/x", players: map[*player]struct{}{}}
	p := newPlayer(nil, nil, 16, 0)
	st.players[p] = struct{}{}
	first := testTracks(true)
	st.setTracks(first)
	feed(st, vKey, vDiff)

	st.replaceTrack(0, &gortmplib.Track{Codec: &codecs.H264{SPS: []byte{0x67}}})
	feed(st, vDiff, vKey)
	if got := drain(p); got != "TKPTK" {
		t.Fatalf("queue = %q, want TKPTK", got)
	}
	if first[0] == st.tracks[0] {
		t.Error("replaceTrack modified the slice handed to players")
	}
}

func TestEndPlayers(t *testing.T) {
	st := &stream{key: "live/x", players: map[*player]struct{}{}}
	p := newPlayer(nil, nil, 1, 0)
	st.players[p] = struct{}{}
	st.endPlayers()
	st.endPlayers() // ending twice must not panic
	select {
	case <-p.ended:
	default:
		t.Fatal("player not ended")
	}
	if len(st.players) != 0 {
		t.Error("players not removed")
	}
}
