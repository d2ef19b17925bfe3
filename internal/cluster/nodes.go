package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// NodeInfo is a node's record, /nodes/<id>, kept under its lease: it vanishes with the node.
type NodeInfo struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// LiveCalls holds its keys on that node now.
	LiveCalls int `json:"liveCalls"`
	// MaxCalls is its capacity; 0: no limit.
	MaxCalls int `json:"maxCalls"`
	// Load is the machine's one-minute load average per CPU when the record was written.
	Load float64 `json:"load"`
}

// Full reports whether the node takes no more calls.
func (i NodeInfo) Full() bool { return i.MaxCalls > 0 && i.LiveCalls >= i.MaxCalls }

// SetLive records this node's number of live calls; the record is written at the next renewal
// (a third of the TTL), so a burst of calls costs one write.
func (n *Node) SetLive(live int) {
	n.mu.Lock()
	if n.live != live {
		n.live, n.dirty = live, true
	}
	n.mu.Unlock()
}

func (n *Node) putRecord(ctx context.Context) error {
	n.mu.Lock()
	lease := n.lease
	info := NodeInfo{ID: n.cfg.NodeID, URL: n.cfg.URL, LiveCalls: n.live, MaxCalls: n.cfg.MaxCalls, Load: loadPerCPU()}
	n.dirty = false
	n.mu.Unlock()
	if lease == 0 {
		return ErrLeaseLost
	}
	b, _ := json.Marshal(info)
	if _, err := n.cli.Put(ctx, n.nodePath(info.ID), string(b), clientv3.WithLease(lease)); err != nil {
		n.mu.Lock()
		n.dirty = true
		n.mu.Unlock()
		return err
	}
	return nil
}

func (n *Node) nodePath(id string) string { return n.cfg.Prefix + "/nodes/" + id }

// Nodes lists the live nodes (this one included), by id.
func (n *Node) Nodes(ctx context.Context) ([]NodeInfo, error) {
	if _, err := n.leaseID(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, n.opTimeout())
	defer cancel()
	resp, err := n.cli.Get(ctx, n.cfg.Prefix+"/nodes/", clientv3.WithPrefix())
	if err != nil {
		return nil, fmt.Errorf("%w: nodes: %v", ErrUnreachable, err)
	}
	out := make([]NodeInfo, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		var i NodeInfo
		if json.Unmarshal(kv.Value, &i) == nil && i.ID != "" && i.URL != "" {
			out = append(out, i)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out, nil
}

// loadPerCPU reads /proc/loadavg's one-minute figure divided by the CPUs; 0 when unreadable.
func loadPerCPU() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0
	}
	return v / float64(runtime.NumCPU())
}
