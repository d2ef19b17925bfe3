package harness

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/emiago/sipgo"
	"github.com/pion/sdp/v3"
)

// Payload types the harness offers for the relays.
const (
	relayAudioPT = 0  // PCMU
	relayVideoPT = 96 // H.264, packetization-mode 1
)

// relayBindTimeout bounds the wait for ffmpeg to bind its RTP ports
// before the call is acknowledged and the device starts sending.
const relayBindTimeout = 10 * time.Second

// relayStopGrace is how long ffmpeg gets after SIGINT to finish the FLV
// stream and exit.
const relayStopGrace = 5 * time.Second

// FFmpegRelayArgs is the baseline relay, per call, as the issue states it;
// the SDP file and the RTMP URL are appended.
var FFmpegRelayArgs = []string{"-hide_banner", "-nostdin", "-loglevel", "error",
	"-protocol_whitelist", "file,udp,rtp", "-i", "SDP", "-c:v", "copy", "-c:a", "aac", "-f", "flv", "RTMP"}

// relay is one baseline call: a SIP dialog with a device and the ffmpeg
// process that receives its RTP and publishes it to nginx.
type relay struct {
	sess  *sipgo.DialogClientSession
	cmd   *exec.Cmd
	done  chan struct{}
	state *os.ProcessState
}

// relayOffer offers PCMU and H.264 mode 1, receive-only, on the relay's
// ports.
func relayOffer(audioPort, videoPort int) []byte {
	return fmt.Appendf(nil, "v=0\r\no=bench 1 1 IN IP4 127.0.0.1\r\ns=bench\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP %d\r\na=rtpmap:%d PCMU/8000\r\na=recvonly\r\n"+
		"m=video %d RTP/AVP %d\r\na=rtpmap:%d H264/90000\r\na=fmtp:%d packetization-mode=1\r\na=recvonly\r\n",
		audioPort, relayAudioPT, relayAudioPT, videoPort, relayVideoPT, relayVideoPT, relayVideoPT)
}

// relaySDP is what ffmpeg reads: the same ports, with the device's
// answered H.264 fmtp (its sprop-parameter-sets let ffmpeg start at once).
func relaySDP(audioPort, videoPort int, answer []byte) ([]byte, error) {
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(answer); err != nil {
		return nil, fmt.Errorf("%w: answer: %w", ErrCallFailed, err)
	}
	fmtp := "packetization-mode=1"
	for _, md := range sd.MediaDescriptions {
		if md.MediaName.Media != "video" {
			continue
		}
		if v, ok := md.Attribute("fmtp"); ok {
			if _, params, ok := strings.Cut(v, " "); ok {
				fmtp = params
			}
		}
	}
	return fmt.Appendf(nil, "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=relay\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP %d\r\na=rtpmap:%d PCMU/8000\r\n"+
		"m=video %d RTP/AVP %d\r\na=rtpmap:%d H264/90000\r\na=fmtp:%d %s\r\n",
		audioPort, relayAudioPT, relayAudioPT, videoPort, relayVideoPT, relayVideoPT, relayVideoPT, fmtp), nil
}

// startRelay calls the device, starts ffmpeg on the SDP, waits for it to
// bind, then acknowledges the call so the media starts.
func startRelay(ctx context.Context, e *env, u *uac, s *callSet, r *callRecord, audioPort int) (*relay, error) {
	app := e.nginx.URL("live")
	p, err := startPlayer(ctx, app, r.stream)
	if err != nil {
		return nil, fmt.Errorf("player: %w", err)
	}
	videoPort := audioPort + 2
	started := time.Now()
	s.update(r, func(r *callRecord) { r.player, r.started = p, started })
	sess, err := u.invite(ctx, e.devs[r.device].addr, relayOffer(audioPort, videoPort))
	if err != nil {
		return nil, err
	}
	s.update(r, func(r *callRecord) { r.est = time.Since(started) })
	rl := &relay{sess: sess, done: make(chan struct{})}
	fail := func(err error) (*relay, error) {
		rl.stop(ctx)
		return nil, err
	}
	conf, err := relaySDP(audioPort, videoPort, sess.InviteResponse.Body())
	if err != nil {
		return fail(err)
	}
	sdpPath := filepath.Join(e.dir, "relays", r.id+".sdp")
	if err := os.WriteFile(sdpPath, conf, 0o644); err != nil {
		return fail(err)
	}
	args := append([]string(nil), FFmpegRelayArgs...)
	args[len(args)-1], args[indexOf(args, "SDP")] = app+"/"+r.stream, sdpPath
	rl.cmd = exec.Command("ffmpeg", args...)
	logFile, err := os.Create(filepath.Join(e.dir, "relays", r.id+".log"))
	if err != nil {
		return fail(err)
	}
	defer logFile.Close()
	rl.cmd.Stdout, rl.cmd.Stderr = logFile, logFile
	rl.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := rl.cmd.Start(); err != nil {
		rl.cmd = nil
		return fail(err)
	}
	go func() {
		_ = rl.cmd.Wait()
		rl.state = rl.cmd.ProcessState
		close(rl.done)
	}()
	deadline := time.Now().Add(relayBindTimeout)
	for !udpPortBound(audioPort) || !udpPortBound(videoPort) {
		select {
		case <-rl.done:
			return fail(fmt.Errorf("%w: ffmpeg exited: %s", ErrCallFailed, bytes.TrimSpace(readFile(logFile.Name()))))
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fail(fmt.Errorf("%w: ffmpeg did not bind ports %d/%d", ErrCallFailed, audioPort, videoPort))
		}
	}
	if err := sess.Ack(ctx); err != nil {
		return fail(fmt.Errorf("%w: ACK: %w", ErrCallFailed, err))
	}
	return rl, nil
}

func (rl *relay) pid() int {
	if rl.cmd == nil {
		return 0
	}
	return rl.cmd.Process.Pid
}

func (rl *relay) exited() bool {
	select {
	case <-rl.done:
		return true
	default:
		return false
	}
}

// stop asks ffmpeg to finish while the media still flows (after start-up
// ffmpeg checks its SIGINT flag between packets, and blocks for ever on a
// silent RTP input), kills it if it does not, then hangs up.
func (rl *relay) stop(ctx context.Context) {
	if rl.cmd != nil {
		_ = rl.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-rl.done:
		case <-time.After(relayStopGrace):
			_ = syscall.Kill(-rl.cmd.Process.Pid, syscall.SIGKILL)
			<-rl.done
		}
	}
	if rl.sess != nil {
		bctx, cancel := context.WithTimeout(ctx, relayStopGrace)
		_ = rl.sess.Bye(bctx)
		cancel()
		_ = rl.sess.Close()
	}
}

// usage is the exited process's CPU time and peak RSS (getrusage).
func (rl *relay) usage() (time.Duration, int64) {
	if rl.state == nil {
		return 0, 0
	}
	ru, ok := rl.state.SysUsage().(*syscall.Rusage)
	if !ok {
		return rl.state.UserTime() + rl.state.SystemTime(), 0
	}
	return rl.state.UserTime() + rl.state.SystemTime(), ru.Maxrss * 1024 // Linux: KiB
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func readFile(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}
