package harness

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// sampler reads a side's usage once a second for the progress line and the
// report's time series.
type sampler struct {
	read  func() (Usage, error)
	calls func() int
	start time.Time
	phase atomic.Value // string

	mu      sync.Mutex
	last    Usage
	samples []Sample
}

func newSampler(phase string, read func() (Usage, error), calls func() int) *sampler {
	s := &sampler{read: read, calls: calls, start: time.Now()}
	s.phase.Store(phase)
	s.last, _ = read()
	return s
}

func (s *sampler) setPhase(p string) { s.phase.Store(p) }

// line takes a sample and formats it.
func (s *sampler) line() string {
	u, err := s.read()
	if err != nil {
		return "usage: " + err.Error()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cpu := 0.0
	if dt := u.At.Sub(s.last.At); dt > 0 && u.CPU >= s.last.CPU {
		cpu = 100 * float64(u.CPU-s.last.CPU) / float64(dt)
	}
	s.last = u
	smp := Sample{T: round(time.Since(s.start).Seconds(), 1), Phase: s.phase.Load().(string), Calls: s.calls(),
		CPUPct: round(cpu, 1), RSSMB: mb(u.RSS), FDs: u.FDs, Threads: u.Threads}
	s.samples = append(s.samples, smp)
	return fmt.Sprintf("%-6s calls %4d | cpu %6.1f%% | rss %7.1f MB | fds %5d | threads %4d",
		smp.Phase, smp.Calls, smp.CPUPct, smp.RSSMB, smp.FDs, smp.Threads)
}

func (s *sampler) series() []Sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sample(nil), s.samples...)
}

// sumUsage reads several processes and adds them up (for the relays, one
// process per call). Processes that are gone are skipped.
func sumUsage(pids []int) Usage {
	total := Usage{At: time.Now()}
	for _, pid := range pids {
		u, err := ReadUsage(pid)
		if err != nil {
			continue
		}
		total.CPU += u.CPU
		total.RSS += u.RSS
		total.HWM += u.HWM
		total.PSS += u.PSS
		total.Threads += u.Threads
		total.FDs += u.FDs
	}
	return total
}

// contextUsage reads the processes around the one measured: the device
// processes, nginx and the harness itself (its RTMP players).
func (e *env) contextUsage() map[string]Usage {
	var devs []int
	for _, d := range e.devs {
		devs = append(devs, d.pid())
	}
	return map[string]Usage{
		"devices": sumUsage(devs),
		"nginx":   sumUsage([]int{e.nginx.PID()}),
		"harness": sumUsage([]int{os.Getpid()}),
	}
}

// holdContext reads what the hold's CPU figures need around the measured
// processes.
type holdContext struct {
	procs   map[string]Usage
	machine machineCPU
	all     map[int]procCPU
}

func (e *env) readContext() holdContext {
	return holdContext{procs: e.contextUsage(), machine: readMachineCPU(), all: readAllCPU()}
}

// outsiders lists what ran on the machine besides the run's processes
// (known: the measured side's, plus the devices, nginx and the harness).
func (e *env) outsiders(from, to holdContext, measured []int) []string {
	known := map[int]bool{os.Getpid(): true, e.nginx.PID(): true}
	for _, d := range e.devs {
		known[d.pid()] = true
	}
	for _, pid := range measured {
		known[pid] = true
	}
	return outsiders(from.all, to.all, known, to.machine.at.Sub(from.machine.at))
}

// cpuPct is the CPU (% of one core) each process group used between two
// readings, the machine's busy, interrupt and stolen time, and what remains
// of the machine's busy time once interrupts, measured (the side's own CPU
// during the hold) and the groups are taken out.
func cpuPct(from, to holdContext, measured float64) map[string]float64 {
	out := map[string]float64{}
	sum := measured
	for k, b := range to.procs {
		a := from.procs[k]
		if dt := b.At.Sub(a.At); dt > 0 {
			out[k] = round(100*float64(b.CPU-a.CPU)/float64(dt), 1)
			sum += out[k]
		}
	}
	out["machine"] = to.machine.pctOfCore(to.machine.busy-from.machine.busy, from.machine)
	out["steal"] = to.machine.pctOfCore(to.machine.steal-from.machine.steal, from.machine)
	out["irq"] = to.machine.pctOfCore(to.machine.irq-from.machine.irq, from.machine)
	out["unattributed"] = round(max(0, out["machine"]-out["irq"]-sum), 1)
	return out
}
