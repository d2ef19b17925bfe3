package cluster

import (
	"context"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Claim takes every key for owner (its CallID and Ref; the node fills in itself) in one
// transaction under the node's lease: all of them, or none and a *Conflict naming the first key
// (in the order given) that another call holds.
func (n *Node) Claim(ctx context.Context, o Owner, keys []Key) error {
	lease, err := n.leaseID()
	if err != nil {
		return err
	}
	o.NodeID, o.URL = n.cfg.NodeID, n.cfg.URL
	owner := o.encode()
	cmps := make([]clientv3.Cmp, len(keys))
	puts := make([]clientv3.Op, len(keys))
	gets := make([]clientv3.Op, len(keys))
	for i, k := range keys {
		p := k.path(n.cfg.Prefix)
		cmps[i] = clientv3.Compare(clientv3.CreateRevision(p), "=", 0)
		puts[i] = clientv3.OpPut(p, owner, clientv3.WithLease(lease))
		gets[i] = clientv3.OpGet(p)
	}
	ctx, cancel := context.WithTimeout(ctx, n.opTimeout())
	defer cancel()
	resp, err := n.cli.Txn(ctx).If(cmps...).Then(puts...).Else(gets...).Commit()
	if err != nil {
		return fmt.Errorf("%w: claim: %v", ErrUnreachable, err)
	}
	if resp.Succeeded {
		return nil
	}
	for i, r := range resp.Responses {
		if kvs := r.GetResponseRange().GetKvs(); len(kvs) > 0 {
			return &Conflict{Key: keys[i], Owner: decodeOwner(kvs[0].Value)}
		}
	}
	// Taken a moment ago and freed since: the caller may simply try again.
	return &Conflict{Key: keys[0]}
}

// Release deletes the keys this node holds under its current lease; a key that expired and
// was claimed by someone else since is left to them.
func (n *Node) Release(ctx context.Context, keys []Key) error {
	lease, err := n.leaseID()
	if err != nil {
		return nil // the lease is gone, and its keys with it
	}
	for _, k := range keys {
		p := k.path(n.cfg.Prefix)
		_, err := n.cli.Txn(ctx).If(clientv3.Compare(clientv3.LeaseValue(p), "=", lease)).
			Then(clientv3.OpDelete(p)).Commit()
		if err != nil {
			return fmt.Errorf("%w: release %s: %v", ErrUnreachable, k.Kind, err)
		}
	}
	return nil
}

// Lookup returns who holds a key; ok is false when nobody does. Without a lease (etcd
// unreachable for a TTL) it fails at once rather than hold a REST request up.
func (n *Node) Lookup(ctx context.Context, k Key) (o Owner, ok bool, err error) {
	if _, err := n.leaseID(); err != nil {
		return Owner{}, false, err
	}
	ctx, cancel := context.WithTimeout(ctx, n.opTimeout())
	defer cancel()
	resp, err := n.cli.Get(ctx, k.path(n.cfg.Prefix))
	if err != nil {
		return Owner{}, false, fmt.Errorf("%w: lookup: %v", ErrUnreachable, err)
	}
	if len(resp.Kvs) == 0 {
		return Owner{}, false, nil
	}
	return decodeOwner(resp.Kvs[0].Value), true, nil
}

// opTimeout bounds one request to etcd: the clients' requests wait on it, and an etcd that does
// not answer within a third of the TTL will not keep the lease either.
func (n *Node) opTimeout() time.Duration {
	return min(n.cfg.TTL/3+time.Second, 3*time.Second)
}
