package registry

import (
	"github.com/sipcast/sipcast/actors/rtmp"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// StartPush asks for one more RTMP target of a live call's stream (/push/startup).
type StartPush struct {
	Spec  callapi.PushStart
	Sound *rtmp.Sound // decoded Spec.SoundFile, when given
}

// PushResponse answers the push requests with the push object, or why not.
type PushResponse struct {
	Code    Code
	Message string
	Push    callapi.Push
}

// FindPushes lists pushes: all of them, or those of a stream name (plain, or prefixed as it
// is published) and, when given, an rtmpUrl.
type FindPushes struct {
	StreamName string
	RTMPURL    string
}

// FindPushesResponse lists the matching pushes, oldest first.
type FindPushesResponse struct {
	Pushes []callapi.Push
}

// PushOp is what a PushCommand does; the REST contract names the operations.
type PushOp = callapi.PushOp

const (
	PushTerminate = callapi.PushTerminate
	PushMute      = callapi.PushMute
	PushUnmute    = callapi.PushUnmute
	PushSoundOn   = callapi.PushSoundOn
	PushSoundOff  = callapi.PushSoundOff
)

// PushCommand acts on one push, named by its mediaSessionId.
type PushCommand struct {
	ID    string
	Op    PushOp
	Sound *rtmp.Sound // for PushSoundOn
}
