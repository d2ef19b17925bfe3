package cluster

import (
	"context"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/sipcast/sipcast/bench/peers"
)

// BenchmarkClaim is what the cluster adds to a startup's path: one Claim (a transaction of a
// call's three keys) against a real etcd on loopback. Release runs off the path (after the
// call ended) and is not timed. Reports the claim's p50 and p99.
func BenchmarkClaim(b *testing.B) {
	etcd := peers.StartEtcd(b)
	n, err := Open(Config{Endpoints: []string{etcd.Endpoint()}, NodeID: "a", URL: "http://a.invalid", TTL: 10 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(n.Close)
	ctx := context.Background()
	var ds []time.Duration
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := "c" + strconv.Itoa(i)
		i++
		keys := []Key{{KeyCallID, id}, {KeyStream, "s" + id}, {KeyTarget, "rtmp://h/live#" + id}}
		start := time.Now()
		if err := n.Claim(ctx, Owner{CallID: id}, keys); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(start))
		b.StopTimer()
		if err := n.Release(ctx, keys); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(ds[min(len(ds)-1, len(ds)*99/100)].Microseconds())/1000, "p99-ms")
}
