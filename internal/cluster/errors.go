package cluster

import (
	"errors"
	"fmt"

	"github.com/sipcast/sipcast/protocol/callapi"
)

var (
	// ErrUnreachable: etcd did not answer (at start, or for a claim). It wraps
	// callapi.ErrUnavailable, so a startup refused for it is a 503.
	ErrUnreachable error = unavailable("cluster: etcd unreachable")
	// ErrLeaseLost: this node could not renew its lease for longer than its TTL. Its keys may
	// already belong to others, so it cannot guarantee uniqueness and refuses new calls (503)
	// until it holds a lease again.
	ErrLeaseLost error = unavailable("cluster: this node lost its etcd lease and cannot guarantee uniqueness; try another node")
	// ErrNoNode: no live node can take the request (placement with every node full) (503).
	ErrNoNode error = unavailable("cluster: every live node is at its capacity (SIPCAST_MAX_CALLS)")
	// ErrConfig: the cluster settings are incomplete or contradictory.
	ErrConfig = errors.New("cluster: configuration")
)

// Conflict is a claim refused because another call (on any node) holds one of its keys. The
// registry turns it into the same 409 message a single node gives.
type Conflict struct {
	Key   Key
	Owner Owner
}

func (c *Conflict) Error() string {
	return fmt.Sprintf("%s %q is held by call %q on node %q", c.Key.Kind, c.Key.Value, c.Owner.CallID, c.Owner.NodeID)
}

// Unwrap makes a Conflict a callapi.ErrConflict (409).
func (c *Conflict) Unwrap() error { return callapi.ErrConflict }

// unavailable is a sentinel that is a callapi.ErrUnavailable (503) without repeating its text.
type unavailable string

func (u unavailable) Error() string { return string(u) }
func (u unavailable) Unwrap() error { return callapi.ErrUnavailable }
