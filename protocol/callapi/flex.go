package callapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Bool is a boolean that also accepts the strings "true"/"false" (any case) and treats "" and
// null as absent, because the spec's own example and the original's browser demo send form values.
type Bool struct {
	Set   bool
	Value bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (b *Bool) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*b = Bool{}
		return nil
	case bytes.Equal(data, []byte("true")):
		*b = Bool{Set: true, Value: true}
		return nil
	case bytes.Equal(data, []byte("false")):
		*b = Bool{Set: true, Value: false}
		return nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("%w: want a boolean or \"true\"/\"false\"", ErrWrongType)
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		*b = Bool{}
	case "true":
		*b = Bool{Set: true, Value: true}
	case "false":
		*b = Bool{Set: true, Value: false}
	default:
		return fmt.Errorf("%w: %q is not \"true\" or \"false\"", ErrWrongType, s)
	}
	return nil
}

// Or returns the value, or def when absent.
func (b Bool) Or(def bool) bool {
	if !b.Set {
		return def
	}
	return b.Value
}

// Text is a string that also accepts a JSON number (a port sent as 5060 or "5060").
type Text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *Text) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*t = ""
		return nil
	}
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("%w: %v", ErrWrongType, err)
		}
		*t = Text(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return fmt.Errorf("%w: want a string or a number", ErrWrongType)
	}
	*t = Text(n.String())
	return nil
}

// Port parses t as a port number; 0 when empty.
func (t Text) Port() (int, error) {
	s := strings.TrimSpace(string(t))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("%w: port %q is not a number from 1 to 65535", ErrInvalid, s)
	}
	return n, nil
}
