package harness

import (
	"time"
)

// Report is the outcome of a run: what the terminal table shows, and the
// JSON file's content.
type Report struct {
	Label    string    `json:"label"`
	Started  time.Time `json:"started"`
	Machine  Machine   `json:"machine"`
	Settings Settings  `json:"settings"`
	Sipcast  *Side     `json:"sipcast,omitempty"`
	FFmpeg   *Side     `json:"ffmpeg,omitempty"`
	// Ratios are sipcast/ffmpeg for the per-call figures.
	Ratios  map[string]float64 `json:"ratios,omitempty"`
	Targets []Target           `json:"targets"`
	WorkDir string             `json:"workDir"`
}

// Settings are the run's parameters as the report records them.
type Settings struct {
	Calls        int     `json:"calls"`
	Baseline     int     `json:"baseline"`
	Rate         float64 `json:"ratePerSecond"`
	HoldSeconds  float64 `json:"holdSeconds"`
	Devices      int     `json:"deviceProcesses"`
	PollMs       float64 `json:"pollMs"` // resolution of the REST latencies when polled
	FFmpegRelay  string  `json:"ffmpegRelay"`
	SipcastExtra string  `json:"sipcastEnv,omitempty"`
}

// Side is one phase: sipcast's calls or the ffmpeg relays.
type Side struct {
	Name  string     `json:"name"`
	Calls CallCounts `json:"calls"`
	// LatencySource says how status times were observed (sipcast only).
	LatencySource string `json:"latencySource,omitempty"`
	// Latencies in ms from the REST startup (sipcast) or the INVITE
	// (ffmpeg relay, whose "established" is the 200 OK).
	Established Percentiles  `json:"establishedMs"`
	Active      Percentiles  `json:"rtmpActiveMs"`
	FirstFrame  Percentiles  `json:"firstVideoFrameMs"`
	CPU         CPUFigures   `json:"cpu"`
	Memory      MemFigures   `json:"memory"`
	Media       MediaFigures `json:"media"`
	// Before, During and After are the process's threads, open files and
	// goroutines (sipcast only) at idle, mid-hold, and after the last call.
	Before Resources `json:"before"`
	During Resources `json:"during"`
	After  Resources `json:"after"`
	// Leaks names whatever did not return to its starting count.
	Leaks []string `json:"leaks,omitempty"`
	// Context is the CPU use (% of one core) of the other processes during
	// the hold: on a small machine they compete with the one measured.
	// "machine" is all cores' busy time, "irq" the part of it spent in
	// interrupts and softirqs (mostly loopback network delivery, charged to
	// no process), "steal" what the hypervisor took, and "unattributed" the
	// busy time that neither interrupts nor the run's processes account
	// for: anything else running (another job on the machine) shows there,
	// and makes the run's figures suspect.
	Context map[string]float64 `json:"contextCpuPct"`
	// Outsiders are the processes outside the run that used CPU during the
	// hold, by name, largest first ("go 45%").
	Outsiders []string    `json:"outsiders,omitempty"`
	Log       *logSummary `json:"log,omitempty"`
	Errors    []string    `json:"errors,omitempty"`
	Samples   []Sample    `json:"samples"`
}

// CallCounts: attempted = established + failed; lost are established
// calls that ended, lost their RTMP stream or stalled during the hold.
type CallCounts struct {
	Attempted   int `json:"attempted"`
	Established int `json:"established"`
	Failed      int `json:"failed"`
	Lost        int `json:"lost"`
}

// CPUFigures: HoldPct is the whole side's CPU (% of one core) during the
// hold, PerCallPct that divided by the calls; Total covers start to end.
type CPUFigures struct {
	HoldSeconds     float64 `json:"holdSeconds"`
	HoldCPUSeconds  float64 `json:"holdCpuSeconds"`
	HoldPct         float64 `json:"holdPct"`
	PerCallPct      float64 `json:"perCallPct"`
	TotalCPUSeconds float64 `json:"totalCpuSeconds"`
	// PerCallSetupMs is the CPU spent per call outside the hold (start-up,
	// ramp, tear-down), in ms: a call's fixed cost.
	PerCallSetupMs float64 `json:"perCallSetupCpuMs"`
}

// MemFigures in MB (2^20 bytes). For sipcast: peak RSS of the process and
// (peak − idle)/calls per call. For ffmpeg: the sum of the processes' peaks,
// and per call the mean peak RSS and the mean PSS (shared pages split).
type MemFigures struct {
	IdleMB     float64 `json:"idleMB"`
	PeakMB     float64 `json:"peakMB"`
	PerCallMB  float64 `json:"perCallMB"`
	HoldEndMB  float64 `json:"holdEndMB"`
	PerCallPSS float64 `json:"perCallPssMB"`
}

// MediaFigures: frames seen by the RTMP players against the frames the
// streams' timestamp spans should hold, and what the sender got as RTP.
type MediaFigures struct {
	VideoFrames        int     `json:"videoFrames"`
	VideoExpected      int     `json:"videoExpected"`
	VideoDeliveredPct  float64 `json:"videoDeliveredPct"`
	VideoGaps          int     `json:"videoGaps"`
	AudioFrames        int     `json:"audioFrames"`
	AudioExpected      int     `json:"audioExpected"`
	AudioDeliveredPct  float64 `json:"audioDeliveredPct"`
	StreamsWithoutData int     `json:"streamsWithoutVideo"`
	// Stalls counts pauses of more than 3 s in a stream's video during
	// the hold, late frames included: a sign of an overloaded machine.
	Stalls int `json:"stalls"`
	// RTPPackets received by sipcast's RTP actors (from its log), by kind.
	RTPPackets map[string]int64 `json:"rtpPackets,omitempty"`
	// UDP is the kernel's system-wide UDP counters over the phase:
	// RcvbufErrors are datagrams dropped on full socket buffers.
	UDP udpCounters `json:"udp"`
	// Poll is what sipcast's RTP poller did during the hold (from /metrics); nil where the
	// gateway does not expose it.
	Poll *PollFigures `json:"poll,omitempty"`
}

// PollFigures are the RTP poller's batching during the hold: how many datagrams each read
// (recvmmsg) took and how many sockets each round read.
type PollFigures struct {
	ReadsPerCallSecond  float64 `json:"readsPerCallSecond"`
	DatagramsPerRead    float64 `json:"datagramsPerRead"`
	ReadsPerRound       float64 `json:"readsPerRound"`
	RoundsPerSecond     float64 `json:"roundsPerSecond"`
	DatagramsPerCallSec float64 `json:"datagramsPerCallSecond"`
}

// Resources is a point-in-time count; -1 means not measured.
type Resources struct {
	Threads    int `json:"threads"`
	FDs        int `json:"fds"`
	Goroutines int `json:"goroutines"`
	// PooledGoroutines are the idle HTTP server workers among Goroutines.
	PooledGoroutines int `json:"pooledGoroutines"`
	Processes        int `json:"processes"`
}

// Sample is one second of the phase's time series.
type Sample struct {
	T       float64 `json:"t"`
	Phase   string  `json:"phase"`
	Calls   int     `json:"calls"`
	CPUPct  float64 `json:"cpuPct"`
	RSSMB   float64 `json:"rssMB"`
	FDs     int     `json:"fds"`
	Threads int     `json:"threads"`
}

// Target is one of the goals, checked against the run.
type Target struct {
	Name   string `json:"name"`
	Want   string `json:"want"`
	Got    string `json:"got"`
	Met    bool   `json:"met"`
	Reason string `json:"reason,omitempty"` // why it could not be judged
}

func mb(b int64) float64 { return round(float64(b)/(1<<20), 2) }
