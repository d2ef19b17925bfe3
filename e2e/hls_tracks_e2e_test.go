package e2e

import (
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
)

// What an audio-only (or video-only) call's HLS holds, as nginx-rtmp writes it (issue 6 part 6,
// the spec's known problem 2). nginx-rtmp-module 1.2.2 (Debian's libnginx-mod-rtmp) opens every
// MPEG-TS fragment with one fixed PAT/PMT (hls/ngx_rtmp_mpegts.c, ngx_rtmp_mpegts_header): PID
// 0x100 H.264 and PID 0x101 AAC, whatever the stream carries and whatever its onMetaData says —
// ffmpeg publishing AAC alone gets the same PMT. So the absent kind is declared by the server,
// not by sipcast, and no publisher can remove it; what sipcast controls, and what is asserted:
// the absent kind carries not one packet, the present one is all there, and sipcast's own RTMP
// stream (checkStreams) declares only what it carries.

// hlsTrack is one elementary stream of a fragment, as ffprobe counts it.
type hlsTrack struct {
	kind, codec string
	packets     int
}

// checkHLSTracks reads the last complete fragment of the stream's playlist and wants packets of
// the present kinds only: audio (AAC) when audio, video (H.264) when video.
func checkHLSTracks(t *testing.T, ngx *peers.Nginx, stream string, audio, video bool) {
	t.Helper()
	playlist := ngx.HLSURL(stream)
	res, err := http.Get(playlist)
	if err != nil {
		t.Fatalf("HLS playlist: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var frags []string
	for line := range strings.Lines(string(body)) {
		if line = strings.TrimSpace(line); strings.HasSuffix(line, ".ts") {
			frags = append(frags, line)
		}
	}
	if len(frags) < 2 {
		t.Fatalf("HLS playlist %s: %d fragments\n%s", playlist, len(frags), body)
	}
	// The last listed fragment is complete (nginx lists a fragment once it closed it); one
	// before it, in case the playlist was rewritten since.
	frag := playlist[:strings.LastIndex(playlist, "/")+1] + frags[len(frags)-2]
	tracks := probeTracks(t, frag)
	got := map[string]int{}
	for _, tr := range tracks {
		got[tr.kind] += tr.packets
		switch {
		case tr.kind == "audio" && tr.packets > 0 && tr.codec != "aac":
			t.Errorf("HLS %s: audio %s, want aac", frag, tr.codec)
		case tr.kind == "video" && tr.packets > 0 && tr.codec != "h264":
			t.Errorf("HLS %s: video %s, want h264", frag, tr.codec)
		}
	}
	if (got["audio"] > 0) != audio || (got["video"] > 0) != video {
		t.Fatalf("HLS %s: %+v; want audio %v, video %v", frag, tracks, audio, video)
	}
	t.Logf("HLS fragment %s: %+v (a kind with 0 packets is nginx-rtmp's fixed PMT)", frags[len(frags)-2], tracks)
}

// probeTracks lists a file's streams with the packets in each.
func probeTracks(t *testing.T, url string) []hlsTrack {
	t.Helper()
	out, err := exec.CommandContext(probeCtx(t, 20*time.Second), "ffprobe", "-v", "error", "-count_packets",
		"-show_entries", "stream=codec_type,codec_name,nb_read_packets", "-of", "csv=p=0", url).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", url, err)
	}
	var tracks []hlsTrack
	seen := map[string]bool{}
	for line := range strings.Lines(string(out)) {
		// Each stream comes twice: in its program and on its own.
		f := strings.Split(strings.TrimSpace(line), ",")
		if len(f) < 3 || seen[line] {
			continue
		}
		seen[line] = true
		n, _ := strconv.Atoi(f[2])
		tracks = append(tracks, hlsTrack{kind: f[1], codec: f[0], packets: n})
	}
	return tracks
}
