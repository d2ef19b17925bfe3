package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/call"
	"github.com/sipcast/sipcast/actors/call/calltest"
	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/actors/rtp"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// benchPorts is the RTP range of the benchmarks: 4 ports per live call, for up to 350 calls,
// below the kernel's ephemeral ports (32768 up) and apart from the tests' ranges.
const benchPortsMin, benchPortsMax = 28000, 29399

// newBenchEngine runs the real registry, call and RTP actors behind a fake SIP edge that
// answers at once.
func newBenchEngine(b *testing.B) *Engine {
	b.Helper()
	sig := &calltest.Signaling{Script: calltest.Script{AnswerSDP: []byte(answerSDP)}}
	ports, err := rtp.NewPorts(net.ParseIP("127.0.0.1"), benchPortsMin, benchPortsMax)
	if err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := Start(registry.Config{
		EndedTTL: time.Second,
		NewCall: func(spec callapi.Startup) *actor.Props {
			return call.NewProps(call.Config{Spec: spec, SIP: sig, Ports: ports, MediaIP: "127.0.0.1",
				InviteTimeout: 2 * time.Second, RTMPConnectTimeout: time.Second, Logger: quiet})
		},
	}, quiet)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Stop(5 * time.Second) })
	return eng
}

func benchSpec(b *testing.B, id string) callapi.Startup {
	s, err := callapi.ParseStartup(fmt.Appendf(nil, `{"callId":%q,"callee":"bob","sipDomain":"127.0.0.1"}`, id))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkStartTerminate is one call's whole life as the registry sees it: keys reserved, call
// actor spawned (ports bound, INVITE answered by the fake, RTP actors configured), terminated,
// keys released. One op is one call.
func BenchmarkStartTerminate(b *testing.B) {
	eng := newBenchEngine(b)
	ctx := context.Background()
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		id := fmt.Sprintf("bench-%d", i)
		i++
		if _, err := eng.StartCall(ctx, benchSpec(b, id)); err != nil {
			b.Fatal(err)
		}
		if err := eng.Terminate(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFindByCallID is a REST client polling one call (/call/find {"callId"}) while others
// are live: the registry compares the filter with every call's object, so the cost grows with
// the number of calls.
func BenchmarkFindByCallID(b *testing.B) {
	for _, live := range []int{10, 100, 300} {
		b.Run(fmt.Sprintf("live=%d", live), func(b *testing.B) {
			eng := newBenchEngine(b)
			ctx := context.Background()
			for i := range live {
				if _, err := eng.StartCall(ctx, benchSpec(b, fmt.Sprintf("live-%d", i))); err != nil {
					b.Fatal(err)
				}
			}
			b.Cleanup(func() { // before the engine stops: a call ended by Stop is logged as an error
				for i := range live {
					_ = eng.Terminate(ctx, fmt.Sprintf("live-%d", i))
				}
			})
			filter := map[string]any{"callId": fmt.Sprintf("live-%d", live/2)}
			b.ReportAllocs()
			for b.Loop() {
				calls, err := eng.Find(ctx, filter)
				if err != nil || len(calls) != 1 {
					b.Fatalf("%d calls, %v", len(calls), err)
				}
			}
		})
	}
}
