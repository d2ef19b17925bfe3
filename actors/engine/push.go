package engine

import (
	"context"
	"fmt"

	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// StartPush adds an RTMP target to a live call's stream.
func (e *Engine) StartPush(ctx context.Context, spec callapi.PushStart, sound *rtmp.Sound) (callapi.Push, error) {
	return e.pushAsk(&registry.StartPush{Spec: spec, Sound: sound})
}

// FindPushes lists pushes by stream name (plain or as published) and rtmpUrl; empty: all.
func (e *Engine) FindPushes(ctx context.Context, streamName, rtmpURL string) ([]callapi.Push, error) {
	res, err := e.ask(&registry.FindPushes{StreamName: streamName, RTMPURL: rtmpURL}, requestTimeout)
	if err != nil {
		return nil, err
	}
	return res.(*registry.FindPushesResponse).Pushes, nil
}

// PushCommand terminates, mutes, unmutes or changes the sound of a push.
func (e *Engine) PushCommand(ctx context.Context, id string, op registry.PushOp, sound *rtmp.Sound) (callapi.Push, error) {
	return e.pushAsk(&registry.PushCommand{ID: id, Op: op, Sound: sound})
}

func (e *Engine) pushAsk(msg any) (callapi.Push, error) {
	res, err := e.ask(msg, requestTimeout)
	if err != nil {
		return callapi.Push{}, err
	}
	r, ok := res.(*registry.PushResponse)
	if !ok {
		return callapi.Push{}, fmt.Errorf("%w: unexpected answer %T", registry.ErrUnavailable, res)
	}
	if err := codeErr(r.Code, r.Message); err != nil {
		return callapi.Push{}, err
	}
	return r.Push, nil
}
