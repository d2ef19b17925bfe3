package sdp

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func TestParseAnswerCases(t *testing.T) {
	for _, c := range answerCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseAnswer([]byte(c.sdp))
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("error %v, want %v", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got\n%s\nwant\n%s", dump(got), dump(c.want))
			}
		})
	}
}

func dump(a *Answer) string {
	return fmt.Sprintf("audio %+v\nvideo %+v", a.Audio, a.Video)
}

func TestParseAnswerDoesNotMutate(t *testing.T) {
	b := []byte(answerCases[1].sdp)
	orig := string(b)
	if _, err := ParseAnswer(b[:len(b)-2]); err != nil { // drop the final CRLF
		t.Fatal(err)
	}
	if string(b) != orig {
		t.Fatal("input mutated")
	}
}
