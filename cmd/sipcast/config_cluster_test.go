package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

// Cluster settings: off by default (the node runs alone, nodeId as before); when on, the
// defaults of the README and every contradiction refused at start.
func TestClusterConfig(t *testing.T) {
	host, _ := os.Hostname()
	c, err := loadConfig(nil, env(map[string]string{"SIPCAST_SIP_IP": "127.0.0.1"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClusterEtcd != "" || c.MaxCalls != 0 || c.nodeID() != host+"@127.0.0.1" {
		t.Fatalf("alone: etcd %q max %d nodeId %q", c.ClusterEtcd, c.MaxCalls, c.nodeID())
	}
	c, err = loadConfig(nil, env(map[string]string{"SIPCAST_SIP_IP": "127.0.0.1", "SIPCAST_REST_PORT": "9000",
		"SIPCAST_CLUSTER_ETCD": "http://10.0.0.9:2379, http://10.0.0.8:2379"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.nodeID() != host || c.nodeURL() != "http://127.0.0.1:9000" || c.ClusterTTL != 10*time.Second ||
		c.ClusterLostCalls != "end" || c.ClusterPrefix != "/sipcast" || len(c.etcdEndpoints()) != 2 {
		t.Fatalf("cluster defaults: id %q url %q ttl %v lost %q prefix %q endpoints %q", c.nodeID(), c.nodeURL(),
			c.ClusterTTL, c.ClusterLostCalls, c.ClusterPrefix, c.etcdEndpoints())
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"ttl fraction": {map[string]string{"SIPCAST_CLUSTER_TTL": "2500ms"}, "cluster_ttl"},
		"ttl zero":     {map[string]string{"SIPCAST_CLUSTER_TTL": "0s"}, "cluster_ttl"},
		"lost calls":   {map[string]string{"SIPCAST_CLUSTER_LOST_CALLS": "maybe"}, "cluster_lost_calls"},
		"etcd url":     {map[string]string{"SIPCAST_CLUSTER_ETCD": "10.0.0.9:2379"}, "cluster_etcd"},
		"node url":     {map[string]string{"SIPCAST_NODE_URL": "ftp://x"}, "node_url"},
		"cert no key":  {map[string]string{"SIPCAST_CLUSTER_ETCD_CERT": "c.pem"}, "cluster_etcd_key"},
		"max calls":    {map[string]string{"SIPCAST_MAX_CALLS": "-1"}, "max_calls"},
	} {
		e := map[string]string{"SIPCAST_SIP_IP": "127.0.0.1", "SIPCAST_CLUSTER_ETCD": "http://127.0.0.1:2379"}
		for k, v := range tc.env {
			e[k] = v
		}
		if _, err := loadConfig(nil, env(e)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error naming %s", name, err, tc.want)
		}
	}
}
