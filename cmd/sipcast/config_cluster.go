package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/sipcast/sipcast/internal/cluster"
)

// ClusterConfig is the cluster part of the configuration, embedded in Config. Without
// cluster_etcd the node runs alone with its in-memory registry, as it always did.
type ClusterConfig struct {
	ClusterEtcd         string        `yaml:"cluster_etcd"`          // "": no cluster. etcd client URLs, comma-separated
	NodeID              string        `yaml:"node_id"`               // "": the host name (alone: host name@sip_ip, as before)
	NodeURL             string        `yaml:"node_url"`              // "": http://<sip_ip>:<rest_port>
	ClusterTTL          time.Duration `yaml:"cluster_ttl"`           // 10s: lease; a dead node's keys are free within it
	MaxCalls            int           `yaml:"max_calls"`             // 0: no limit. This node's capacity
	ClusterLostCalls    string        `yaml:"cluster_lost_calls"`    // end | keep: live calls when the lease is lost
	ClusterPrefix       string        `yaml:"cluster_prefix"`        // /sipcast: etcd key prefix
	ClusterEtcdUser     string        `yaml:"cluster_etcd_user"`     // "": etcd without authentication
	ClusterEtcdPassword string        `yaml:"cluster_etcd_password"` //
	ClusterEtcdCA       string        `yaml:"cluster_etcd_ca"`       // "": system roots for https:// etcd
	ClusterEtcdCert     string        `yaml:"cluster_etcd_cert"`     // "": no client certificate
	ClusterEtcdKey      string        `yaml:"cluster_etcd_key"`      //
	ClusterUser         string        `yaml:"cluster_user"`          // "": node-to-node requests without credentials
	ClusterPassword     string        `yaml:"cluster_password"`      //
	ClusterCA           string        `yaml:"cluster_ca"`            // "": system roots for https:// node URLs
}

func defaultCluster() ClusterConfig {
	return ClusterConfig{ClusterTTL: 10 * time.Second, ClusterLostCalls: "end", ClusterPrefix: "/sipcast"}
}

func (c *Config) clusterSettings() []setting {
	k := &c.ClusterConfig
	return []setting{
		{"SIPCAST_CLUSTER_ETCD", "cluster-etcd", "etcd client URLs, comma-separated: run as a node of a cluster; empty: alone", &k.ClusterEtcd},
		{"SIPCAST_NODE_ID", "node-id", "this node's id (the call object's nodeId); empty: the host name", &k.NodeID},
		{"SIPCAST_NODE_URL", "node-url", "this node's REST base URL as the other nodes reach it; empty: http://sip-ip:rest-port", &k.NodeURL},
		{"SIPCAST_CLUSTER_TTL", "cluster-ttl", "etcd lease of this node: its keys outlive it by at most this (whole seconds)", &k.ClusterTTL},
		{"SIPCAST_MAX_CALLS", "max-calls", "live calls this node takes; past it a cluster places the call elsewhere, alone it answers 503; 0: no limit", &k.MaxCalls},
		{"SIPCAST_CLUSTER_LOST_CALLS", "cluster-lost-calls", "live calls when the etcd lease is lost: end, or keep (claimed again when etcd is back)", &k.ClusterLostCalls},
		{"SIPCAST_CLUSTER_PREFIX", "cluster-prefix", "prefix of sipcast's etcd keys (clusters sharing an etcd need distinct ones)", &k.ClusterPrefix},
		{"SIPCAST_CLUSTER_ETCD_USER", "cluster-etcd-user", "etcd user name", &k.ClusterEtcdUser},
		{"SIPCAST_CLUSTER_ETCD_PASSWORD", "cluster-etcd-password", "etcd password", &k.ClusterEtcdPassword},
		{"SIPCAST_CLUSTER_ETCD_CA", "cluster-etcd-ca", "PEM CA file trusted for https:// etcd URLs (besides the system's)", &k.ClusterEtcdCA},
		{"SIPCAST_CLUSTER_ETCD_CERT", "cluster-etcd-cert", "PEM client certificate for etcd", &k.ClusterEtcdCert},
		{"SIPCAST_CLUSTER_ETCD_KEY", "cluster-etcd-key", "PEM private key of cluster-etcd-cert", &k.ClusterEtcdKey},
		{"SIPCAST_CLUSTER_USER", "cluster-user", "REST user this node sends to the other nodes (HTTP Basic)", &k.ClusterUser},
		{"SIPCAST_CLUSTER_PASSWORD", "cluster-password", "password of cluster-user", &k.ClusterPassword},
		{"SIPCAST_CLUSTER_CA", "cluster-ca", "PEM CA file trusted for https:// node URLs (besides the system's)", &k.ClusterCA},
	}
}

func (c Config) validateCluster() []error {
	var errs []error
	k := c.ClusterConfig
	if k.MaxCalls < 0 {
		errs = append(errs, fmt.Errorf("max_calls %d: want 0 (no limit) or more", k.MaxCalls))
	}
	if k.ClusterEtcd == "" {
		return errs
	}
	if s := k.ClusterTTL.Seconds(); s < 1 || s != float64(int64(s)) {
		errs = append(errs, fmt.Errorf("cluster_ttl %v: want whole seconds, at least 1s", k.ClusterTTL))
	}
	if k.ClusterLostCalls != "end" && k.ClusterLostCalls != "keep" {
		errs = append(errs, fmt.Errorf("cluster_lost_calls %q: want end or keep", k.ClusterLostCalls))
	}
	for _, e := range c.etcdEndpoints() {
		if u, err := url.Parse(e); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("cluster_etcd %q: want http(s)://host:port", e))
		}
	}
	if u, err := url.Parse(c.nodeURL()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("node_url %q: want http(s)://host:port", c.nodeURL()))
	}
	if (k.ClusterEtcdCert == "") != (k.ClusterEtcdKey == "") {
		errs = append(errs, fmt.Errorf("cluster_etcd_cert and cluster_etcd_key go together"))
	}
	return errs
}

func (c Config) etcdEndpoints() []string {
	var out []string
	for _, e := range strings.Split(c.ClusterEtcd, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// nodeID is the call object's nodeId: the setting; in a cluster the host name by default; alone
// host name@sip_ip, as before clusters.
func (c Config) nodeID() string {
	if c.NodeID != "" {
		return c.NodeID
	}
	host, _ := os.Hostname()
	if c.ClusterEtcd != "" {
		return host
	}
	return host + "@" + c.SIPIP
}

func (c Config) nodeURL() string {
	if c.NodeURL != "" {
		return c.NodeURL
	}
	return "http://" + net.JoinHostPort(c.SIPIP, strconv.Itoa(c.RESTPort))
}

// openCluster joins the cluster; an unreachable etcd is an error the process stops on, in
// every profile: running alone would break the uniqueness the other nodes rely on.
func (c Config) openCluster(log *slog.Logger) (*cluster.Node, error) {
	var tlsCfg *tls.Config
	if c.ClusterEtcdCA != "" || c.ClusterEtcdCert != "" || anyHTTPS(c.etcdEndpoints()) {
		var err error
		if tlsCfg, err = clientTLS(c.ClusterEtcdCA, c.ClusterEtcdCert, c.ClusterEtcdKey); err != nil {
			return nil, fmt.Errorf("cluster etcd TLS: %w", err)
		}
	}
	n, err := cluster.Open(cluster.Config{Endpoints: c.etcdEndpoints(), NodeID: c.nodeID(), URL: c.nodeURL(),
		TTL: c.ClusterTTL, Prefix: c.ClusterPrefix, MaxCalls: c.MaxCalls, TLS: tlsCfg,
		Username: c.ClusterEtcdUser, Password: c.ClusterEtcdPassword, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("cannot join the cluster (SIPCAST_CLUSTER_ETCD=%s): %w", c.ClusterEtcd, err)
	}
	return n, nil
}

// nodeClient sends the requests to other nodes.
func (c Config) nodeClient() (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if c.ClusterCA != "" {
		tlsCfg, err := clientTLS(c.ClusterCA, "", "")
		if err != nil {
			return nil, fmt.Errorf("cluster_ca: %w", err)
		}
		tr.TLSClientConfig = tlsCfg
	}
	// Terminate waits for the callee's BYE answer: up to sipgo's 32 s.
	return &http.Client{Transport: tr, Timeout: 45 * time.Second}, nil
}

func anyHTTPS(urls []string) bool {
	for _, u := range urls {
		if strings.HasPrefix(u, "https://") {
			return true
		}
	}
	return false
}

// clientTLS trusts the system's roots plus caFile, and presents certFile/keyFile when given.
func clientTLS(caFile, certFile, keyFile string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate in it", caFile)
		}
		cfg.RootCAs = pool
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
