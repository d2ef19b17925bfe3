package rtp

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/media/dtmftone"
	"github.com/sipcast/sipcast/media/g711"
	"github.com/sipcast/sipcast/media/transcode"
)

// SendTones asks the audio actor to play digits as in-band DTMF: Q.23 dual tones in the audio
// it sends the device, in the codec of its comfort silence, 20 ms per packet in place of the
// silence (as RFC 4733 events pause it). SendDTMFResponse answers once the last gap went out;
// a later request's digits follow an earlier one's.
type SendTones struct {
	Digits string // dtmf.Normalize'd
	// Tones shapes the tones; its Rate is set by the actor from the codec.
	Tones dtmftone.Config
}

// toneSender plays SendTones requests through the silence sender's ticks.
type toneSender struct {
	queue []*toneJob // queue[0] is playing
	codec string     // what enc encodes
	enc   *transcode.AudioEncoder
	pcm   []int16
}

type toneJob struct {
	req     *SendTones
	gen     *dtmftone.Generator // nil until the job's first packet
	replyTo *actor.PID
}

// toneRate is the PCM rate tones are made at for a comfort codec, and whether sipcast can
// encode tones in it at all.
func toneRate(codec string) (int, bool) {
	switch codec {
	case "PCMU", "PCMA", "SPEEX":
		return 8000, true
	case "SPEEX/16000":
		return 16000, true
	case "OPUS":
		return 48000, true
	}
	return 0, false
}

func (a *Actor) handleSendTones(ctx actor.Context, m *SendTones) {
	p := a.peerSt
	if a.cfg.Kind != Audio || p == nil || p.silence == nil || p.peer == nil || p.remote == nil {
		if ctx.Sender() != nil {
			ctx.Respond(&SendDTMFResponse{Error: fmt.Sprintf("%v: sipcast sends no audio on this line", ErrNoDTMF)})
		}
		return
	}
	if _, ok := toneRate(p.peer.SilenceCodec); !ok {
		if ctx.Sender() != nil {
			ctx.Respond(&SendDTMFResponse{Error: fmt.Sprintf("%v: no tones in %s", ErrNoDTMF, p.peer.SilenceCodec)})
		}
		return
	}
	if a.tones == nil {
		a.tones = &toneSender{}
	}
	a.tones.queue = append(a.tones.queue, &toneJob{req: m, replyTo: ctx.Sender()})
}

// nextTone is the payload to send instead of silence at this tick, or nil: no tones are due.
// The tones follow the silence's codec, also when a re-INVITE changes it mid-digit.
func (a *Actor) nextTone() []byte {
	s := a.tones
	if s == nil || len(s.queue) == 0 || a.peerSt == nil || a.peerSt.peer == nil {
		return nil
	}
	job, codec := s.queue[0], a.peerSt.peer.SilenceCodec
	rate, ok := toneRate(codec)
	if !ok {
		a.finishTones(fmt.Errorf("the line moved to %s, which sipcast cannot make tones in", codec))
		return nil
	}
	if job.gen == nil {
		cfg := job.req.Tones
		cfg.Rate = rate
		gen, err := dtmftone.New(job.req.Digits, cfg)
		if err != nil {
			a.finishTones(err)
			return nil
		}
		job.gen = gen
		a.peerSt.silence.mark = true // the tones are a talkspurt
		a.log.Info("sending DTMF", "type", "INBAND", "digits", job.req.Digits, "codec", codec)
	}
	payload, err := s.encode(codec, rate, job.gen)
	if err != nil {
		a.finishTones(err)
		return nil
	}
	if job.gen.Done() {
		a.finishTones(nil)
	}
	return payload
}

// encode reads 20 ms of the tones and encodes them in codec.
func (s *toneSender) encode(codec string, rate int, gen *dtmftone.Generator) ([]byte, error) {
	n := rate / 50
	if cap(s.pcm) < n {
		s.pcm = make([]int16, n)
	}
	pcm := s.pcm[:n]
	gen.Read(pcm)
	switch codec {
	case "PCMU":
		return g711.EncodeUlaw(nil, pcm), nil
	case "PCMA":
		return g711.EncodeAlaw(nil, pcm), nil
	}
	if s.enc == nil || s.codec != codec {
		s.close()
		name := transcode.Speex
		if codec == "OPUS" {
			name = transcode.Opus
		}
		enc, err := transcode.NewAudioEncoder(name, rate)
		if err != nil {
			return nil, err
		}
		s.enc, s.codec = enc, codec
	}
	return s.enc.Encode(pcm)
}

func (s *toneSender) close() {
	if s.enc != nil {
		s.enc.Close()
		s.enc = nil
	}
}

// finishTones answers the playing job's requester; the next job starts at the next tick.
func (a *Actor) finishTones(err error) {
	s := a.tones
	job := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	res := &SendDTMFResponse{}
	if err != nil {
		res.Error = fmt.Sprintf("%v: %v", ErrNoDTMF, err)
		a.log.Warn("DTMF not sent", "type", "INBAND", "digits", job.req.Digits, "err", err)
	}
	if job.replyTo != nil {
		a.system.Root.Send(job.replyTo, res)
	}
}

// stopTones answers the waiting requesters and frees the encoder: the actor is stopping, or
// the line no longer carries sipcast's audio.
func (a *Actor) stopTones(why string) {
	if a.tones == nil {
		return
	}
	for _, job := range a.tones.queue {
		if job.replyTo != nil {
			a.system.Root.Send(job.replyTo, &SendDTMFResponse{Error: fmt.Sprintf("%v: %s", ErrNoDTMF, why)})
		}
	}
	a.tones.close()
	a.tones = nil
}
