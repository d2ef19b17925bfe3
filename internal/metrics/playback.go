package metrics

// Playback: browsers and players watching calls (WHEP, LL-HLS).
var (
	// Viewers is the number of WHEP sessions open now.
	Viewers Gauge
	// ViewerBytes counts the media bytes queued to WHEP viewers.
	ViewerBytes Counter
	// ViewerDropped counts the packets not sent to a viewer whose queue was full, by kind
	// ("audio", "video": whole GOPs of video go).
	ViewerDropped CounterVec
	// ViewersRefused counts WHEP offers refused, by reason.
	ViewersRefused CounterVec
	// HLSMuxers is the number of LL-HLS muxers running now.
	HLSMuxers Gauge
	// HLSBytes counts the bytes of HLS playlists, segments and parts served.
	HLSBytes Counter
	// HLSDropped counts the frames an HLS muxer did not take because it was behind.
	HLSDropped Counter
)

func writePlayback(w *Writer) {
	w.Gauge("sipcast_whep_viewers", "WHEP sessions open now.", &Viewers)
	w.Counter("sipcast_whep_bytes_total", "Media bytes queued to WHEP viewers.", &ViewerBytes)
	w.CounterVec("sipcast_whep_dropped_packets_total", "Packets not sent to a WHEP viewer that did not keep up, by kind.",
		"kind", &ViewerDropped, "audio", "video")
	w.CounterVec("sipcast_whep_refused_total", "WHEP offers refused, by reason.", "reason", &ViewersRefused)
	w.Gauge("sipcast_hls_muxers", "LL-HLS muxers running now (one per watched stream).", &HLSMuxers)
	w.Counter("sipcast_hls_bytes_total", "Bytes of HLS playlists, segments and parts served.", &HLSBytes)
	w.Counter("sipcast_hls_dropped_frames_total", "Frames an HLS muxer did not take because it was behind.", &HLSDropped)
}
