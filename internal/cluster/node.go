// Package cluster is one sipcast node's membership of a cluster kept in etcd: a lease that lives
// as long as the node does, the node's record (/nodes/<id>: URL, live calls, load) under it, and
// the claims of unique keys (callId, toStream, RTMP target, push) made in one etcd transaction
// each, under the same lease, so a node that dies frees its keys within the lease's TTL.
//
// It is plain I/O, with no actors: the registry actor asks it from goroutines it owns.
package cluster

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Config configures a node's membership.
type Config struct {
	// Endpoints are etcd's client URLs.
	Endpoints []string
	// NodeID names this node: the call object's nodeId and its /nodes/<id> record.
	NodeID string
	// URL is this node's REST base URL as the other nodes reach it.
	URL string
	// TTL is the lease's: a node gone silent loses its keys this long after its last renewal.
	// Default 10 s.
	TTL time.Duration
	// Prefix is put in front of every etcd key, so clusters can share an etcd. Default "/sipcast".
	Prefix string
	// MaxCalls is published in the node's record for placement; 0: no limit.
	MaxCalls int
	// TLS, Username and Password reach an etcd that asks for them.
	TLS                *tls.Config
	Username, Password string
	// DialTimeout bounds Open's first contact with etcd. Default 5 s.
	DialTimeout time.Duration
	Logger      *slog.Logger
	// Now is the clock of the lease watchdog. Default time.Now.
	Now func() time.Time
}

func (c *Config) defaults() {
	if c.TTL == 0 {
		c.TTL = 10 * time.Second
	}
	if c.Prefix == "" {
		c.Prefix = "/sipcast"
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Node is this process's membership.
type Node struct {
	cfg  Config
	cli  *clientv3.Client
	log  *slog.Logger
	stop chan struct{}
	done chan struct{}

	mu        sync.Mutex
	lease     clientv3.LeaseID   // 0 while lost
	stale     []clientv3.LeaseID // lost leases to revoke before taking a new one
	lastAck   time.Time
	live      int
	dirty     bool // the node record needs writing
	onLost    func()
	onRegain  func()
	closeOnce sync.Once
}

// Open connects to etcd, takes a lease and writes the node's record. etcd unreachable within
// DialTimeout is ErrUnreachable: the caller should stop rather than run without uniqueness.
func Open(cfg Config) (*Node, error) {
	cfg.defaults()
	if len(cfg.Endpoints) == 0 || cfg.NodeID == "" || cfg.URL == "" {
		return nil, fmt.Errorf("%w: etcd endpoints, node id and node URL are all needed", ErrConfig)
	}
	if ttl := cfg.TTL.Seconds(); ttl < 1 || ttl != float64(int64(ttl)) {
		return nil, fmt.Errorf("%w: TTL %v: etcd leases are whole seconds, at least 1", ErrConfig, cfg.TTL)
	}
	cli, err := clientv3.New(clientv3.Config{
		Endpoints: cfg.Endpoints, DialTimeout: cfg.DialTimeout, TLS: cfg.TLS,
		Username: cfg.Username, Password: cfg.Password,
		Logger: zap.NewNop(), // its reconnect chatter says nothing our own log does not
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnreachable, err)
	}
	n := &Node{cfg: cfg, cli: cli, log: cfg.Logger.With("component", "cluster", "nodeId", cfg.NodeID),
		stop: make(chan struct{}), done: make(chan struct{})}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.DialTimeout)
	defer cancel()
	if err := n.acquire(ctx); err != nil {
		cli.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreachable, cfg.Endpoints, err)
	}
	go n.keepAlive()
	n.log.Info("joined the cluster", "etcd", cfg.Endpoints, "ttl", cfg.TTL, "url", cfg.URL)
	return n, nil
}

// ID is this node's id.
func (n *Node) ID() string { return n.cfg.NodeID }

// URL is this node's REST base URL.
func (n *Node) URL() string { return n.cfg.URL }

// Notify sets what is called (from the lease goroutine) when the lease is lost and when a new
// one is held again. Call it before calls start.
func (n *Node) Notify(lost, regained func()) {
	n.mu.Lock()
	n.onLost, n.onRegain = lost, regained
	n.mu.Unlock()
}

// acquire grants a lease and writes the node record under it.
func (n *Node) acquire(ctx context.Context) error {
	g, err := n.cli.Grant(ctx, int64(n.cfg.TTL/time.Second))
	if err != nil {
		return err
	}
	n.mu.Lock()
	n.lease, n.lastAck, n.dirty = g.ID, n.cfg.Now(), true
	n.mu.Unlock()
	return n.putRecord(ctx)
}

// keepAlive renews the lease three times a TTL. A renewal refused (lease expired) or none
// acknowledged for a whole TTL is the lease lost: every key of this node may now be someone
// else's. It then tries for a new lease at the same pace.
func (n *Node) keepAlive() {
	defer close(n.done)
	every := n.cfg.TTL / 3
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), every)
		n.tick(ctx)
		cancel()
	}
}

func (n *Node) tick(ctx context.Context) {
	n.mu.Lock()
	lease, last := n.lease, n.lastAck
	n.mu.Unlock()
	if lease == 0 {
		n.regain(ctx)
		return
	}
	_, err := n.cli.KeepAliveOnce(ctx, lease)
	now := n.cfg.Now()
	switch {
	case err == nil:
		n.mu.Lock()
		n.lastAck = now
		dirty := n.dirty
		n.mu.Unlock()
		if dirty {
			if err := n.putRecord(ctx); err != nil {
				n.log.Warn("node record not written", "err", err)
			}
		}
	case errors.Is(err, rpctypes.ErrLeaseNotFound), now.Sub(last) >= n.cfg.TTL:
		n.lose(lease, err)
	default:
		n.log.Warn("lease renewal failed; retrying", "err", err, "sinceLastRenewal", now.Sub(last).Round(time.Millisecond))
	}
}

func (n *Node) lose(lease clientv3.LeaseID, err error) {
	n.mu.Lock()
	if n.lease != lease {
		n.mu.Unlock()
		return
	}
	n.lease = 0
	// The old lease may still exist (an etcd restarted extends every lease): it is revoked
	// before a new one is taken, so its keys do not outlive the decision to give them up, nor
	// stand in the way of this node claiming its kept calls again.
	n.stale = append(n.stale, lease)
	cb := n.onLost
	n.mu.Unlock()
	n.log.Error("etcd lease lost: refusing new calls until a new lease is held", "err", err)
	if cb != nil {
		cb()
	}
}

func (n *Node) regain(ctx context.Context) {
	n.mu.Lock()
	stale := n.stale
	n.mu.Unlock()
	for len(stale) > 0 {
		if _, err := n.cli.Revoke(ctx, stale[0]); err != nil && !errors.Is(err, rpctypes.ErrLeaseNotFound) {
			n.log.Debug("old lease not revoked yet", "err", err)
			return
		}
		stale = stale[1:]
		n.mu.Lock()
		n.stale = n.stale[1:]
		n.mu.Unlock()
	}
	if err := n.acquire(ctx); err != nil {
		n.log.Debug("new lease not granted yet", "err", err)
		return
	}
	n.mu.Lock()
	cb := n.onRegain
	n.mu.Unlock()
	n.log.Info("etcd lease held again: taking new calls")
	if cb != nil {
		cb()
	}
}

// leaseID is the current lease, or ErrLeaseLost.
func (n *Node) leaseID() (clientv3.LeaseID, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.lease == 0 {
		return 0, ErrLeaseLost
	}
	return n.lease, nil
}

// Healthy reports whether the node holds its lease.
func (n *Node) Healthy() bool {
	_, err := n.leaseID()
	return err == nil
}

// Close stops renewing and revokes the lease, which frees every key of this node at once (a
// node that drains on SIGTERM gives its keys back without waiting for the TTL).
func (n *Node) Close() {
	n.closeOnce.Do(func() {
		close(n.stop)
		<-n.done
		if lease, err := n.leaseID(); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_, _ = n.cli.Revoke(ctx, lease)
			cancel()
		}
		n.cli.Close()
	})
}
