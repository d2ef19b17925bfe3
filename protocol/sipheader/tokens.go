package sipheader

import "strings"

// HasToken reports whether a comma-separated list (Supported, Require, Allow: one or several
// header lines joined with ",") holds tok, compared case-insensitively as option tags and
// methods are.
func HasToken(list, tok string) bool {
	if len(list) > 8*maxHeaderLen {
		return false
	}
	for len(list) > 0 {
		var item string
		item, list, _ = strings.Cut(list, ",")
		if strings.EqualFold(strings.TrimSpace(item), tok) {
			return true
		}
	}
	return false
}
