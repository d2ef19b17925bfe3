package peers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ioTimeout is ffmpeg's -rw_timeout for network reads: a stream that stops
// sending for this long ends the reader instead of hanging it.
const ioTimeout = 5 * time.Second

// Stream is one stream as ffprobe -show_streams reports it.
type Stream struct {
	Index     int    // stream index in the container
	Type      string // codec_type: "video", "audio", "data"
	Codec     string // codec_name: "h264", "aac", "pcm_mulaw", …
	Profile   string // e.g. "Constrained Baseline", "LC"
	Width     int    // video
	Height    int    // video
	PixFmt    string // video, e.g. "yuv420p"
	FrameRate float64
	// SampleRate and Channels are for audio.
	SampleRate int
	Channels   int
}

// ffprobe's JSON; numbers such as sample_rate come as strings.
type probeOutput struct {
	Streams []struct {
		Index        int    `json:"index"`
		CodecType    string `json:"codec_type"`
		CodecName    string `json:"codec_name"`
		Profile      string `json:"profile"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		PixFmt       string `json:"pix_fmt"`
		AvgFrameRate string `json:"avg_frame_rate"`
		RFrameRate   string `json:"r_frame_rate"`
		SampleRate   string `json:"sample_rate"`
		Channels     int    `json:"channels"`
	} `json:"streams"`
}

// Probe runs ffprobe -v error -rw_timeout 5s -show_streams -of json URL and
// returns the streams found. URL is anything ffprobe opens (rtmp://, a
// file, an HLS playlist). The context bounds the whole run.
func Probe(ctx context.Context, url string) ([]Stream, error) {
	cmd := exec.CommandContext(ctx, "ffprobe", "-v", "error",
		"-rw_timeout", usec(ioTimeout),
		"-show_streams", "-of", "json", url)
	setKill(cmd)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("ffprobe %s: %w: %s", url, ctxErr(ctx, err), strings.TrimSpace(stderr.String()))
	}
	var out probeOutput
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("ffprobe %s: %w", url, err)
	}
	streams := make([]Stream, 0, len(out.Streams))
	for _, s := range out.Streams {
		st := Stream{
			Index: s.Index, Type: s.CodecType, Codec: s.CodecName, Profile: s.Profile,
			Width: s.Width, Height: s.Height, PixFmt: s.PixFmt, Channels: s.Channels,
		}
		st.FrameRate = ratio(s.AvgFrameRate)
		if st.FrameRate == 0 {
			st.FrameRate = ratio(s.RFrameRate)
		}
		st.SampleRate, _ = strconv.Atoi(s.SampleRate)
		streams = append(streams, st)
	}
	return streams, nil
}

// DecodeCheck decodes the first video stream of url for the given number of
// seconds (ffmpeg -v error -rw_timeout 5s -i URL -map 0:v:0 -t N -f null -)
// and returns how many frames were decoded and ffmpeg's error output (the
// decoder's complaints, such as "non-existing PPS"; empty when clean).
// err is set when ffmpeg fails or the context ends, not for decode errors.
// A url ending in ".sdp" is an SDP file describing RTP to receive (ffmpeg
// binds its ports; -protocol_whitelist file,udp,rtp replaces -rw_timeout).
func DecodeCheck(ctx context.Context, url string, seconds int) (frames int, stderr string, err error) {
	args := []string{"-hide_banner", "-nostdin", "-v", "error", "-nostats", "-progress", "pipe:1"}
	if strings.HasSuffix(url, ".sdp") {
		// RTP described by an SDP file: ffmpeg binds the ports in it.
		args = append(args, "-protocol_whitelist", "file,udp,rtp")
	} else {
		args = append(args, "-rw_timeout", usec(ioTimeout))
	}
	// -enc_time_base -1 keeps the source's time base (FLV's millisecond) for the null muxer:
	// with its default, one tick per nominal frame, two pictures closer than a frame interval
	// (variable frame rate, a lip-sync step) are reported as non-monotonic DTS, while equal
	// timestamps — a real fault — still are.
	args = append(args, "-i", url, "-map", "0:v:0", "-t", strconv.Itoa(seconds), "-enc_time_base:v", "-1", "-f", "null", "-")
	cmd := exec.CommandContext(ctx, "ffmpeg", args...)
	setKill(cmd)
	var stdout, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &errb
	runErr := cmd.Run()
	// -progress writes key=value blocks; the last frame= is the total.
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "frame="); ok {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				frames = n
			}
		}
	}
	stderr = errb.String()
	if runErr != nil {
		return frames, stderr, fmt.Errorf("ffmpeg decode %s: %w: %s", url, ctxErr(ctx, runErr), strings.TrimSpace(stderr))
	}
	return frames, stderr, nil
}

// ctxErr prefers the context's error over "signal: killed".
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// setKill makes a cancelled context kill the child's whole process group.
func setKill(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
}

func usec(d time.Duration) string { return strconv.FormatInt(d.Microseconds(), 10) }

// ratio parses ffprobe's "25/1"; "0/0" and garbage give 0.
func ratio(s string) float64 {
	num, den, ok := strings.Cut(s, "/")
	if !ok {
		f, _ := strconv.ParseFloat(s, 64)
		return f
	}
	n, err1 := strconv.ParseFloat(num, 64)
	d, err2 := strconv.ParseFloat(den, 64)
	if err1 != nil || err2 != nil || d == 0 {
		return 0
	}
	return n / d
}
