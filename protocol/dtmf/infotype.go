package dtmf

import (
	"strconv"
	"strings"
	"time"
)

// maxAcceptRanges bounds the media ranges of an Accept header looked at: real ones list a
// handful, and the header comes from the network.
const maxAcceptRanges = 64

// InfoType picks the content type of DTMF INFO a device takes from its Accept header value (RFC
// 3261 §20.1: media ranges with parameters, q=0 meaning "not this"). dtmf-relay is preferred when
// both are taken, as every PBX speaks it; a wildcard (application/*, */*) takes dtmf-relay too.
// ok is false when the header names neither, which in a 2xx to INVITE (typically "Accept:
// application/sdp" alone) says nothing about INFO.
func InfoType(accept string) (contentType string, ok bool) {
	var relay, bare, wild bool
	for i, r := range strings.Split(accept, ",") {
		if i == maxAcceptRanges {
			break
		}
		typ, params, _ := strings.Cut(r, ";")
		if refused(params) {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(typ)) {
		case ContentTypeRelay:
			relay = true
		case ContentTypeDTMF:
			bare = true
		case "application/*", "*/*":
			wild = true
		}
	}
	switch {
	case relay:
		return ContentTypeRelay, true
	case bare:
		return ContentTypeDTMF, true
	case wild:
		return ContentTypeRelay, true
	}
	return "", false
}

// refused reports whether a media range's parameters carry q=0.
func refused(params string) bool {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err == nil && q <= 0
	}
	return false
}

// OtherInfoType is the DTMF INFO content type to try when a device refuses one with 415 and
// gives no usable Accept.
func OtherInfoType(contentType string) string {
	if contentType == ContentTypeDTMF {
		return ContentTypeRelay
	}
	return ContentTypeDTMF
}

// InfoBody is the INFO body of one digit in a content type: the Signal/Duration lines of
// dtmf-relay, or the bare digit of application/dtmf.
func InfoBody(contentType string, digit byte, tone time.Duration) []byte {
	if contentType == ContentTypeDTMF {
		return []byte{digit}
	}
	return RelayBody(digit, tone)
}
