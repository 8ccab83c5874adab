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

// FuzzUnmarshal: Unmarshal never panics, accepts only what Check accepts,
// and then decodes what encoding/json decodes (with unknown fields
// refused): its result equals json.Unmarshal's for every document it
// accepts.
func FuzzUnmarshal(f *testing.F) {
	for _, s := range []string{`{}`, `{"name":"a","n":1}`, `{"name":"a","Name":"b"}`, `{"name":"a","other":1}`, `{"n":"x"}`, `{} {}`, `[1]`, `{"tags":{"k":"v","K":"w"}}`} {
		f.Add([]byte(s))
	}
	type doc struct {
		Name string            `json:"name"`
		N    int               `json:"n"`
		Tags map[string]string `json:"tags"`
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		o := strictjson.Options{MaxDepth: 64}
		var got doc
		err := strictjson.Unmarshal(data, &got, o)
		if err == nil && strictjson.Check(data, o) != nil {
			t.Fatalf("Unmarshal accepted %q that Check refuses", data)
		}
		if err != nil {
			return
		}
		var want doc
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("Unmarshal accepted %q that encoding/json refuses: %v", data, err)
		}
		if got.Name != want.Name || got.N != want.N || len(got.Tags) != len(want.Tags) {
			t.Fatalf("Unmarshal(%q) = %+v, encoding/json gives %+v", data, got, want)
		}
	})
}
