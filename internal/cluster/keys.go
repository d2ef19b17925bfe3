package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// KeyKind names what a key makes unique across the cluster.
type KeyKind string

// The kinds of unique keys: the same four the registry enforces on one node.
const (
	KeyCallID KeyKind = "callId"
	KeyStream KeyKind = "toStream"
	// KeyTarget is the normalised rtmpUrl+rtmpStream of a call.
	KeyTarget KeyKind = "rtmpUrl+rtmpStream"
	// KeyPush is a push's stream name + normalised target.
	KeyPush KeyKind = "push"
)

// Key is one unique value of a call or push.
type Key struct {
	Kind  KeyKind
	Value string
}

// Owner is what a claimed key holds in etcd: who has it and where to reach them.
type Owner struct {
	NodeID string `json:"nodeId"`
	URL    string `json:"url"`
	CallID string `json:"callId"`
	// Ref is the push's mediaSessionId for a push key.
	Ref string `json:"ref,omitempty"`
}

// path is the key's etcd key. Targets and pushes are hashed: a normalised RTMP URL may carry
// credentials in its query, which have no business in etcd, and a hash bounds the key's length.
// callIds and stream names are bounded by the startup parser and stay readable for operators.
func (k Key) path(prefix string) string {
	v := k.Value
	switch k.Kind {
	case KeyTarget, KeyPush:
		sum := sha256.Sum256([]byte(v))
		v = hex.EncodeToString(sum[:])
	}
	return prefix + "/keys/" + string(k.Kind) + "/" + v
}

func (o Owner) encode() string {
	b, _ := json.Marshal(o) // three strings: cannot fail
	return string(b)
}

func decodeOwner(b []byte) Owner {
	var o Owner
	_ = json.Unmarshal(b, &o) // a foreign value reads as an unknown owner, still a conflict
	return o
}
