package hls

import (
	"bufio"
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/viewer"
	"github.com/sipcast/sipcast/media/frame"
)

var (
	testSPS = []byte{0x67, 0x42, 0xc0, 0x0a, 0xdc, 0x2c, 0x4e, 0xc0, 0x44, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00,
		0x00, 0x03, 0x00, 0x12, 0x3c, 0x48, 0x9e}
	testPPS = []byte{0x68, 0xce, 0x02, 0x92, 0xc8}
	idrNAL  = []byte{0x65, 0x88, 0x84, 0x00, 0x10}
	interP  = []byte{0x41, 0x9a, 0x02, 0x04}
)

// parent stands for the call: the HLS actor is its child and asks it for key frames.
type parent struct {
	props *actor.Props
	child chan *actor.PID
}

func (p *parent) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*actor.Started); ok {
		p.child <- ctx.Spawn(p.props)
	}
}

// Every file a playlist names answers 200, the gap segments that open a Low-Latency playlist
// included: Chromium's native HLS loads them despite EXT-X-GAP, and a 404 there stopped its
// playback of a stream watched in its first seconds (DEMUXER_ERROR_COULD_NOT_PARSE).
func TestEveryListedFileAnswers(t *testing.T) {
	sys := actor.NewActorSystem()
	dir := viewer.NewDirectory()
	children := make(chan *actor.PID, 1)
	props := NewProps(Config{Stream: "s", Directory: dir})
	sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &parent{props: props, child: children} }))
	pid := <-children
	t.Cleanup(func() { sys.Root.StopFuture(pid).Wait() })

	sys.Root.Send(pid, &frame.Tracks{Video: true})
	open := sys.Root.RequestFuture(pid, &Open{}, 3*time.Second)
	// 3 s at 25 fps, a key frame each second: two whole segments and one under way.
	for i := range 75 {
		f := &frame.VideoFrame{PTS: time.Duration(i) * 40 * time.Millisecond, AU: [][]byte{interP}, SPS: testSPS, PPS: testPPS}
		if i%25 == 0 {
			f.AU, f.Key = [][]byte{idrNAL}, true
		}
		sys.Root.Send(pid, f)
	}
	if res, err := open.Result(); err != nil || res.(*OpenResponse).Err != nil {
		t.Fatalf("open: %v %+v", err, res)
	}

	srv := &Server{System: sys, Directory: dir}
	get := func(file string) (int, []byte) {
		w := httptest.NewRecorder()
		if err := srv.Serve("s", w, httptest.NewRequest(http.MethodGet, "/hls/s/"+file, nil)); err != nil {
			return http.StatusNotFound, []byte(err.Error())
		}
		return w.Code, w.Body.Bytes()
	}
	code, multivariant := get("index.m3u8")
	if code != http.StatusOK {
		t.Fatalf("index.m3u8: %d %s", code, multivariant)
	}
	var gaps int
	for _, media := range listed(multivariant) {
		code, body := get(media)
		if code != http.StatusOK {
			t.Fatalf("%s: %d %s", media, code, body)
		}
		gaps += bytes.Count(body, []byte("#EXT-X-GAP"))
		for _, file := range listed(body) {
			if code, b := get(file); code != http.StatusOK {
				t.Errorf("%s names %s: %d %s", media, file, code, b)
			}
		}
	}
	if gaps == 0 {
		t.Fatal("no gap segment in the playlists: the case this test is about did not happen")
	}
}

// listed returns the files a playlist names: URI lines and URI attributes, except the
// preload hint (a part not made yet: the request would wait for it).
func listed(playlist []byte) []string {
	var files []string
	sc := bufio.NewScanner(bytes.NewReader(playlist))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#EXT-X-PRELOAD-HINT"):
		case !strings.HasPrefix(line, "#"):
			files = append(files, line)
		default:
			if _, rest, ok := strings.Cut(line, `URI="`); ok {
				if uri, _, ok := strings.Cut(rest, `"`); ok {
					files = append(files, uri)
				}
			}
		}
	}
	return files
}
