package viewer

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// Directory finds the hub of a live call by its toStream. Hubs enter it when they start and
// leave when they stop; the WHEP and HLS front ends read it from their request goroutines.
type Directory struct {
	mu   sync.RWMutex
	hubs map[string]*actor.PID
	hls  map[string]*actor.PID
}

// NewDirectory returns an empty directory.
func NewDirectory() *Directory {
	return &Directory{hubs: map[string]*actor.PID{}, hls: map[string]*actor.PID{}}
}

// LookupHLS returns the HLS actor of stream, or nil.
func (d *Directory) LookupHLS(stream string) *actor.PID {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.hls[stream]
}

// AddHLS and RemoveHLS keep the HLS actors (package hls) as add and remove keep the hubs.
func (d *Directory) AddHLS(stream string, pid *actor.PID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.hls[stream] = pid
}

func (d *Directory) RemoveHLS(stream string, pid *actor.PID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if cur := d.hls[stream]; cur != nil && cur.Equal(pid) {
		delete(d.hls, stream)
	}
}

// Lookup returns the hub of stream, or nil.
func (d *Directory) Lookup(stream string) *actor.PID {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.hubs[stream]
}

func (d *Directory) add(stream string, pid *actor.PID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.hubs[stream] = pid
}

// remove forgets stream only if pid still serves it: a new call on the same toStream may have
// started before the old hub stopped.
func (d *Directory) remove(stream string, pid *actor.PID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if cur := d.hubs[stream]; cur != nil && cur.Equal(pid) {
		delete(d.hubs, stream)
	}
}
