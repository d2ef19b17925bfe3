package callapi

import "errors"

var (
	// ErrWrongType: a field has a JSON type that cannot be read as the field's type.
	ErrWrongType = errors.New("wrong type")
	// ErrMissing: a required field is absent or empty.
	ErrMissing = errors.New("missing field")
	// ErrInvalid: a field is present but its value is not acceptable.
	ErrInvalid = errors.New("invalid value")
)
