package cluster

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
	"github.com/sipcast/sipcast/protocol/callapi"
)

func openNode(t *testing.T, etcd *peers.Etcd, id string, ttl time.Duration) *Node {
	t.Helper()
	n, err := Open(Config{Endpoints: []string{etcd.Endpoint()}, NodeID: id, URL: "http://" + id + ".invalid", TTL: ttl,
		Prefix: "/t"})
	if err != nil {
		t.Fatalf("open %s: %v", id, err)
	}
	t.Cleanup(n.Close)
	return n
}

func call(id, stream string) []Key {
	return []Key{{KeyCallID, id}, {KeyStream, stream}, {KeyTarget, "rtmp://h/app#" + stream}}
}

// TestClaimAcrossNodes: against a real etcd, a key held by one node is refused to another
// with the holder named, a refused claim takes none of its keys, and a release frees them.
func TestClaimAcrossNodes(t *testing.T) {
	etcd := peers.StartEtcd(t)
	a, b := openNode(t, etcd, "a", 3*time.Second), openNode(t, etcd, "b", 3*time.Second)
	ctx := context.Background()
	if err := a.Claim(ctx, Owner{CallID: "c1"}, call("c1", "s1")); err != nil {
		t.Fatal(err)
	}
	err := b.Claim(ctx, Owner{CallID: "c2"}, []Key{{KeyCallID, "c2"}, {KeyStream, "s1"}})
	var c *Conflict
	if !errors.As(err, &c) || c.Key.Kind != KeyStream || c.Owner.NodeID != "a" || c.Owner.CallID != "c1" ||
		!errors.Is(err, callapi.ErrConflict) {
		t.Fatalf("claim of a held stream = %v, want a conflict on toStream held by c1 on a", err)
	}
	// All or nothing: c2's callId was not taken by the refused claim.
	if _, ok, err := a.Lookup(ctx, Key{KeyCallID, "c2"}); ok || err != nil {
		t.Fatalf("c2 held after a refused claim (err %v)", err)
	}
	o, ok, err := b.Lookup(ctx, Key{KeyCallID, "c1"})
	if !ok || err != nil || o.URL != "http://a.invalid" {
		t.Fatalf("lookup c1 = %+v %v %v", o, ok, err)
	}
	// b cannot release a's key.
	if err := b.Release(ctx, call("c1", "s1")); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := b.Lookup(ctx, Key{KeyCallID, "c1"}); !ok {
		t.Fatal("another node's release freed a's key")
	}
	if err := a.Release(ctx, call("c1", "s1")); err != nil {
		t.Fatal(err)
	}
	if err := b.Claim(ctx, Owner{CallID: "c1"}, call("c1", "s1")); err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	a.SetLive(3)
	nodes, err := a.Nodes(ctx)
	if err != nil || len(nodes) != 2 || nodes[0].ID != "a" || nodes[1].ID != "b" {
		t.Fatalf("nodes = %+v %v", nodes, err)
	}
}

// TestDeadNodeFreesKeys: a node that stops renewing (a crash: no revoke) loses its keys and its
// record within its TTL.
func TestDeadNodeFreesKeys(t *testing.T) {
	etcd := peers.StartEtcd(t)
	ttl := 2 * time.Second
	a, b := openNode(t, etcd, "a", ttl), openNode(t, etcd, "b", ttl)
	ctx := context.Background()
	if err := a.Claim(ctx, Owner{CallID: "c1"}, call("c1", "s1")); err != nil {
		t.Fatal(err)
	}
	a.closeOnce.Do(func() { close(a.stop); <-a.done }) // renewals stop, no revoke: as kill -9
	died := time.Now()
	for b.Claim(ctx, Owner{CallID: "c1"}, call("c1", "s1")) != nil {
		if time.Since(died) > ttl+5*time.Second {
			t.Fatalf("a's keys still held %v after it died (TTL %v)", time.Since(died), ttl)
		}
		time.Sleep(100 * time.Millisecond)
	}
	nodes, _ := b.Nodes(ctx)
	if len(nodes) != 1 || nodes[0].ID != "b" {
		t.Fatalf("nodes after a died = %+v", nodes)
	}
}

// TestLeaseLostAndRegained: etcd gone for longer than the TTL loses the lease (claims refused
// with ErrLeaseLost); etcd back gives a new lease, and the old one's keys are gone.
func TestLeaseLostAndRegained(t *testing.T) {
	etcd := peers.StartEtcd(t)
	ttl := 2 * time.Second
	a := openNode(t, etcd, "a", ttl)
	lost, regained := make(chan struct{}, 1), make(chan struct{}, 1)
	a.Notify(func() { lost <- struct{}{} }, func() { regained <- struct{}{} })
	ctx := context.Background()
	if err := a.Claim(ctx, Owner{CallID: "c1"}, call("c1", "s1")); err != nil {
		t.Fatal(err)
	}
	etcd.Stop()
	select {
	case <-lost:
	case <-time.After(ttl + 10*time.Second):
		t.Fatal("lease not declared lost with etcd down")
	}
	if err := a.Claim(ctx, Owner{CallID: "c2"}, call("c2", "s2")); !errors.Is(err, ErrLeaseLost) || !errors.Is(err, callapi.ErrUnavailable) {
		t.Fatalf("claim without a lease = %v, want ErrLeaseLost", err)
	}
	if err := etcd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-regained:
	case <-time.After(30 * time.Second):
		t.Fatal("no new lease after etcd came back")
	}
	// The old lease was revoked: c1's keys can be claimed again by this node under the new one.
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := a.Claim(ctx, Owner{CallID: "c1"}, call("c1", "s1"))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("old keys still held after regaining: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestOpenUnreachable: no etcd at the endpoint is ErrUnreachable within the dial timeout.
func TestOpenUnreachable(t *testing.T) {
	port := peers.FreeTCPPort(t)
	start := time.Now()
	_, err := Open(Config{Endpoints: []string{fmt.Sprintf("http://127.0.0.1:%d", port)}, NodeID: "a", URL: "http://a",
		DialTimeout: time.Second})
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("open = %v, want ErrUnreachable", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("open took %v", d)
	}
}
