package sipheader

// seCases is shared by the Session-Expires tests and the fuzz seed corpus.
var seCases = []struct {
	in   string
	want SessionExpires
	err  bool
}{
	{"1800", SessionExpires{Seconds: 1800}, false},
	{"1800;refresher=uac", SessionExpires{Seconds: 1800, Refresher: RefresherUAC}, false},
	{" 90 ; Refresher = UAS ", SessionExpires{Seconds: 90, Refresher: RefresherUAS}, false},
	{"600;foo=bar;refresher=uas", SessionExpires{Seconds: 600, Refresher: RefresherUAS}, false},
	{"600;lr", SessionExpires{Seconds: 600}, false},
	{"", SessionExpires{}, true},
	{"abc", SessionExpires{}, true},
	{"-5", SessionExpires{}, true},
	{"0", SessionExpires{}, true},
	{"99999999999", SessionExpires{}, true},
	{"1800;refresher=both", SessionExpires{}, true},
	{"18 00", SessionExpires{}, true},
}

var minSECases = []struct {
	in   string
	want int
	err  bool
}{
	{"90", 90, false},
	{"1800;x=y", 1800, false},
	{" 120 ", 120, false},
	{"", 0, true},
	{"x", 0, true},
	{"86401", 0, true},
}

var tokenCases = []struct {
	list, tok string
	want      bool
}{
	{"timer", "timer", true},
	{"100rel, Timer ,replaces", "timer", true},
	{"INVITE, ACK, UPDATE", "update", true},
	{"INVITE,ACK", "UPDATE", false},
	{"timers", "timer", false},
	{"", "timer", false},
	{",,,", "timer", false},
}
