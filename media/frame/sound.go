package frame

// Sound is decoded PCM that a publisher plays instead of the call's audio (/push sound_on).
type Sound struct {
	Name    string
	Samples []int16 // mono, at Rate
	Rate    int
	Loop    bool
}
