// Package engine assembles the actor system: it starts protoactor with sipcast's logger, logs
// every supervision decision, spawns the registry, and offers the REST front end a small,
// blocking interface (StartCall, Find, Terminate) implemented with RequestFuture.
package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/sipcast/sipcast/actors/registry"
	"github.com/sipcast/sipcast/internal/metrics"
	"github.com/sipcast/sipcast/protocol/callapi"
)

// requestTimeout bounds a REST request's wait on the registry. Terminate waits for the call's BYE
// or CANCEL to finish, which sipgo bounds at 32 s (64*T1) in the worst case.
const (
	requestTimeout   = 5 * time.Second
	terminateTimeout = 40 * time.Second
)

// Engine is the running actor system.
type Engine struct {
	System   *actor.ActorSystem
	Registry *actor.PID
	log      *slog.Logger
	starts   atomic.Uint64 // numbers startup requests, for registry.AbandonStart
}

// Start builds the actor system and spawns the registry with cfg.
func Start(cfg registry.Config, logger *slog.Logger) (*Engine, error) {
	if logger == nil {
		logger = slog.Default()
	}
	system := actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return logger.With("lib", "protoactor") }),
	))
	e := &Engine{System: system, log: logger}
	e.logSupervision()
	cfg.Logger = logger
	// The registry's state is the truth about every live call: a fault while handling one message
	// must not wipe it (Restart would, and would stop every call with it). Resume drops the message.
	guardian := actor.NewOneForOneStrategy(100, time.Minute, func(reason any) actor.Directive {
		return actor.ResumeDirective
	})
	pid, err := system.Root.SpawnNamed(registry.NewProps(cfg).Configure(actor.WithGuardian(guardian)), "registry")
	if err != nil {
		return nil, fmt.Errorf("spawn registry: %w", err)
	}
	e.Registry = pid
	return e, nil
}

// logSupervision writes one structured line per supervision decision: which actor failed, why,
// and whether it was restarted, stopped or resumed.
func (e *Engine) logSupervision() {
	e.System.EventStream.Subscribe(func(evt any) {
		if se, ok := evt.(*actor.SupervisorEvent); ok {
			e.log.Error("actor failed", "actor", se.Child.GetId(), "reason", fmt.Sprint(se.Reason),
				"directive", se.Directive.String())
			metrics.ActorFailures.With(strings.ToLower(strings.TrimSuffix(se.Directive.String(), "Directive"))).Inc()
		}
	})
}

// Stop stops the registry (and so every call) and shuts the system down.
func (e *Engine) Stop(timeout time.Duration) {
	_ = e.System.Root.StopFuture(e.Registry).Wait()
	e.System.Shutdown()
}

// StartCall reserves the call's keys and starts it.
//
// A request the registry does not answer in time gets 503, and leaves no call behind: the
// registry refuses it unstarted once its deadline has passed, and a call it started just before
// is ended by AbandonStart (sent after the request, so handled after it).
func (e *Engine) StartCall(ctx context.Context, spec callapi.Startup) (callapi.Call, error) {
	token := e.starts.Add(1)
	res, err := e.ask(&registry.StartCall{Spec: spec, Deadline: time.Now().Add(requestTimeout), Token: token},
		requestTimeout)
	if err != nil {
		e.System.Root.Send(e.Registry, &registry.AbandonStart{CallID: spec.CallID, Token: token})
		return callapi.Call{}, err
	}
	r := res.(*registry.StartCallResponse)
	if err := codeErr(r.Code, r.Message); err != nil {
		return callapi.Call{}, err
	}
	return r.Call, nil
}

// Find returns the calls matching filter (all when empty).
func (e *Engine) Find(ctx context.Context, filter map[string]any) ([]callapi.Call, error) {
	res, err := e.ask(&registry.FindCalls{Filter: filter}, requestTimeout)
	if err != nil {
		return nil, err
	}
	return res.(*registry.FindCallsResponse).Calls, nil
}

// Terminate ends a call and returns once it has stopped.
func (e *Engine) Terminate(ctx context.Context, callID string) error {
	res, err := e.ask(&registry.TerminateCall{CallID: callID}, terminateTimeout)
	if err != nil {
		return err
	}
	r := res.(*registry.TerminateCallResponse)
	return codeErr(r.Code, r.Message)
}

func (e *Engine) ask(msg any, timeout time.Duration) (any, error) {
	res, err := e.System.Root.RequestFuture(e.Registry, msg, timeout).Result()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", registry.ErrUnavailable, err)
	}
	return res, nil
}

func codeErr(code registry.Code, msg string) error {
	switch code {
	case registry.Conflict:
		return fmt.Errorf("%w: %s", registry.ErrConflict, msg)
	case registry.NotFound:
		return fmt.Errorf("%w: %s", registry.ErrNotFound, msg)
	case registry.Full:
		return fmt.Errorf("%w: %s", registry.ErrFull, msg)
	case registry.Unavailable:
		return fmt.Errorf("%w: %s", registry.ErrUnavailable, msg)
	}
	return nil
}

// Lookup returns the PID of a live call's actor, or nil.
func (e *Engine) Lookup(callID string) *actor.PID {
	res, err := e.ask(&registry.LookupCall{CallID: callID}, requestTimeout)
	if err != nil {
		return nil
	}
	return res.(*registry.LookupCallResponse).PID
}
