// Package whepclient is a small WHEP client (pion WebRTC) that receives a stream and counts
// what arrives: the non-browser WHEP viewer of sipcast's end-to-end tests and benchmarks. It
// uses loopback only.
package whepclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
)

// Track is what arrived on one received track.
type Track struct {
	Codec   string // MIME type, e.g. video/H264
	Packets atomic.Uint64
	Bytes   atomic.Uint64
	// KeyFrames counts H.264 IDR or VP8 key frame starts seen.
	KeyFrames atomic.Uint64
	FirstKey  atomic.Int64 // unix nanoseconds of the first key frame packet, 0 if none yet
	// SeqGaps counts sequence numbers skipped (a hole the sender left).
	SeqGaps atomic.Uint64
}

// Client is one WHEP session.
type Client struct {
	pc       *webrtc.PeerConnection
	Location string
	Answer   string
	Started  time.Time

	mu     sync.Mutex
	tracks map[string]*Track // by kind: "audio", "video"
}

// Options choose what the client offers.
type Options struct {
	// Audio and Video are the codecs offered ("" offers the line with pion's defaults; "-"
	// offers no such line). Names: "H264", "VP8", "OPUS", "PCMU", "PCMA".
	Audio, Video string
	Header       http.Header // e.g. Authorization
}

// Dial posts an offer to url and returns the session once the answer is applied. A non-201
// answer is an error holding its status and body.
func Dial(ctx context.Context, url string, o Options) (*Client, error) {
	m := &webrtc.MediaEngine{}
	if err := registerCodecs(m, o); err != nil {
		return nil, err
	}
	ir := &interceptorRegistry{}
	var se webrtc.SettingEngine
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetIPFilter(func(ip net.IP) bool { return ip.IsLoopback() })
	api := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(se), webrtc.WithInterceptorRegistry(ir.get(m)))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	c := &Client{pc: pc, tracks: map[string]*Track{}, Started: time.Now()}
	for kind, name := range map[webrtc.RTPCodecType]string{webrtc.RTPCodecTypeAudio: o.Audio, webrtc.RTPCodecTypeVideo: o.Video} {
		if name == "-" {
			continue
		}
		if _, err := pc.AddTransceiverFromKind(kind, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
			_ = pc.Close()
			return nil, err
		}
	}
	pc.OnTrack(c.onTrack)
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		_ = pc.Close()
		return nil, err
	}
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(offer); err != nil {
		_ = pc.Close()
		return nil, err
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		_ = pc.Close()
		return nil, ctx.Err()
	}
	code, hdr, body, err := Post(ctx, url, []byte(pc.LocalDescription().SDP), o.Header)
	if err != nil {
		_ = pc.Close()
		return nil, err
	}
	if code != http.StatusCreated {
		_ = pc.Close()
		return nil, &StatusError{Code: code, Body: string(body)}
	}
	c.Location, c.Answer = hdr.Get("Location"), string(body)
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: c.Answer}); err != nil {
		_ = pc.Close()
		return nil, err
	}
	return c, nil
}

// StatusError is a WHEP answer other than 201.
type StatusError struct {
	Code int
	Body string
}

func (e *StatusError) Error() string { return fmt.Sprintf("WHEP %d: %s", e.Code, e.Body) }

// Post sends body as application/sdp.
func Post(ctx context.Context, url string, body []byte, h http.Header) (int, http.Header, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/sdp")
	for k, v := range h {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b, nil
}

func (c *Client) onTrack(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
	tr := &Track{Codec: t.Codec().MimeType}
	c.mu.Lock()
	c.tracks[t.Kind().String()] = tr
	c.mu.Unlock()
	video := t.Kind() == webrtc.RTPCodecTypeVideo
	h264 := strings.EqualFold(tr.Codec, webrtc.MimeTypeH264)
	var last uint16
	started := false
	for {
		pkt, _, err := t.ReadRTP()
		if err != nil {
			return
		}
		if started && pkt.SequenceNumber != last+1 {
			tr.SeqGaps.Add(uint64(uint16(pkt.SequenceNumber - last - 1)))
		}
		last, started = pkt.SequenceNumber, true
		tr.Packets.Add(1)
		tr.Bytes.Add(uint64(len(pkt.Payload)))
		if video && isKeyStart(h264, pkt.Payload) {
			tr.KeyFrames.Add(1)
			tr.FirstKey.CompareAndSwap(0, time.Now().UnixNano())
		}
	}
}

// isKeyStart reports whether a payload starts a key frame: an H.264 SPS or IDR (single, STAP-A,
// or the first FU-A fragment), a VP8 key frame's first partition.
func isKeyStart(h264 bool, p []byte) bool {
	if len(p) < 2 {
		return false
	}
	if h264 {
		switch t := p[0] & 0x1f; t {
		case 5, 7:
			return true
		case 24: // STAP-A: the first NAL's header follows its 2-byte size
			return len(p) > 3 && (p[3]&0x1f == 7 || p[3]&0x1f == 5)
		case 28: // FU-A start of an IDR
			return p[1]&0x80 != 0 && p[1]&0x1f == 5
		}
		return false
	}
	// VP8 payload descriptor, then the frame header's P bit (0 = key frame) on a partition start.
	x, s := p[0]&0x80 != 0, p[0]&0x10 != 0
	i := 1
	if x {
		if len(p) < 2 {
			return false
		}
		ext := p[1]
		i = 2
		if ext&0x80 != 0 { // PictureID
			if len(p) > i && p[i]&0x80 != 0 {
				i += 2
			} else {
				i++
			}
		}
		if ext&0x40 != 0 {
			i++
		}
		if ext&0x30 != 0 {
			i++
		}
	}
	return s && len(p) > i && p[i]&0x01 == 0
}

// Track returns the track of a kind ("audio", "video"), nil until it arrived.
func (c *Client) Track(kind string) *Track {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tracks[kind]
}

// State is the connection's state.
func (c *Client) State() webrtc.PeerConnectionState { return c.pc.ConnectionState() }

// RequestKeyframe sends a PLI on the video track's receiver.
func (c *Client) RequestKeyframe() error {
	for _, tr := range c.pc.GetTransceivers() {
		if r := tr.Receiver(); r != nil && tr.Kind() == webrtc.RTPCodecTypeVideo && r.Track() != nil {
			return c.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(r.Track().SSRC())}})
		}
	}
	return fmt.Errorf("no video track")
}

// Close ends the connection without telling the server (a vanished browser).
func (c *Client) Close() error { return c.pc.Close() }

// Delete ends the session the WHEP way (DELETE on its Location, relative to base) and closes.
func (c *Client) Delete(ctx context.Context, base string) (int, error) {
	defer c.pc.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, base+c.Location, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
