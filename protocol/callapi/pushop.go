package callapi

// PushOp is one of the /push methods that act on a live push, named by its mediaSessionId.
type PushOp int

const (
	PushTerminate PushOp = iota
	PushMute
	PushUnmute
	PushSoundOn
	PushSoundOff
)
