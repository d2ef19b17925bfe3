package main

import (
	"log/slog"

	"github.com/sipcast/sipcast/actors/clusterfront"
	"github.com/sipcast/sipcast/actors/engine"
	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/api"
	"github.com/sipcast/sipcast/internal/cluster"
)

// joinCluster joins the etcd cluster when one is configured; alone it returns nils and the
// node runs with its in-memory registry only.
func joinCluster(cfg Config, log *slog.Logger) (*cluster.Node, registry.Claimer, error) {
	if cfg.ClusterEtcd == "" {
		return nil, nil, nil
	}
	node, err := cfg.openCluster(log)
	if err != nil {
		return nil, nil, err
	}
	return node, node, nil
}

// clusterREST binds the node's lease to the registry (lost → ClusterLost, regained →
// ClusterRegained) and returns what the REST API serves: the forwarding front in a cluster,
// the engine alone.
func clusterREST(cfg Config, log *slog.Logger, eng *engine.Engine, node *cluster.Node) (api.Calls, error) {
	if node == nil {
		return eng, nil
	}
	root, reg := eng.System.Root, eng.Registry
	node.Notify(func() { root.Send(reg, &registry.ClusterLost{}) }, func() { root.Send(reg, &registry.ClusterRegained{}) })
	client, err := cfg.nodeClient()
	if err != nil {
		return nil, err
	}
	return clusterfront.New(eng, eng, node, clusterfront.Config{User: cfg.ClusterUser, Password: cfg.ClusterPassword,
		Client: client, Logger: log}), nil
}
