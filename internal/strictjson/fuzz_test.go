package strictjson_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/releasekit/releasekit/internal/strictjson"
)

// FuzzCheck: Check never panics, accepts only what encoding/json accepts,
// and refuses a valid document only for a duplicate key or its depth.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"A":2}`, `[{"x":[1,{"y":null}]}]`, `"s"`, `{"extra":{"k":1,"K":1}}`, `{} {}`, `[[[[]]]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := strictjson.Check(data, strictjson.Options{MaxDepth: 64})
		valid := json.Valid(data)
		if err == nil && !valid {
			t.Fatalf("Check accepted invalid JSON %q", data)
		}
		if err != nil && valid && !errors.Is(err, strictjson.ErrDuplicateKey) && !errors.Is(err, strictjson.ErrTooDeep) {
			t.Fatalf("Check refused valid JSON %q: %v", data, err)
		}
	})
}
