package strictjson_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/releasekit/releasekit/internal/strictjson"
)

func TestCheck(t *testing.T) {
	noExtra := func(path []string) bool {
		for _, k := range path {
			if strictjson.FoldKey(k) == "EXTRA" {
				return false
			}
		}
		return true
	}
	for _, tc := range []struct {
		name string
		in   string
		o    strictjson.Options
		want error // nil: accepted; errSyntax: any other error
	}{
		{"scalar", `1`, strictjson.Options{}, nil},
		{"object", `{"a": 1, "b": [1, {"a": 2}]}`, strictjson.Options{}, nil},
		{"duplicate", `{"a": 1, "a": 2}`, strictjson.Options{}, strictjson.ErrDuplicateKey},
		{"case duplicate", `{"author": 1, "Author": 2}`, strictjson.Options{}, strictjson.ErrDuplicateKey},
		{"long s", `{"sig": 1, "ſig": 2}`, strictjson.Options{}, strictjson.ErrDuplicateKey},
		{"kelvin", `{"keyid": 1, "\u212aeyid": 2}`, strictjson.Options{}, strictjson.ErrDuplicateKey},
		{"nested duplicate", `[{"x": {"y": 1, "Y": 2}}]`, strictjson.Options{}, strictjson.ErrDuplicateKey},
		{"map keys exact", `{"extra": {"k": 1, "K": 2}}`, strictjson.Options{Fold: noExtra}, nil},
		{"map keys exact, deeper", `{"Extra": {"k": {"a": 1, "A": 2}}}`, strictjson.Options{Fold: noExtra}, nil},
		{"map keys still unique", `{"extra": {"k": 1, "k": 2}}`, strictjson.Options{Fold: noExtra}, strictjson.ErrDuplicateKey},
		{"fold outside the map", `{"extra": {}, "v": 1, "V": 2}`, strictjson.Options{Fold: noExtra}, strictjson.ErrDuplicateKey},
		{"top level only", `{"a": {"b": 1, "B": 2}}`, strictjson.Options{Fold: func(p []string) bool { return len(p) == 0 }}, nil},
		{"trailing", `{} {}`, strictjson.Options{}, strictjson.ErrTrailingData},
		{"trailing garbage", `{} x`, strictjson.Options{}, strictjson.ErrTrailingData},
		{"depth ok", `[[1]]`, strictjson.Options{MaxDepth: 2}, nil},
		{"too deep", `[[[1]]]`, strictjson.Options{MaxDepth: 2}, strictjson.ErrTooDeep},
		{"too deep objects", `{"a":{"b":{}}}`, strictjson.Options{MaxDepth: 2}, strictjson.ErrTooDeep},
		{"default depth", strings.Repeat("[", strictjson.DefaultMaxDepth+1) + strings.Repeat("]", strictjson.DefaultMaxDepth+1), strictjson.Options{}, strictjson.ErrTooDeep},
		{"empty", ``, strictjson.Options{}, errSyntax},
		{"unclosed", `{"a": 1`, strictjson.Options{}, errSyntax},
		{"bad token", `{"a": tru}`, strictjson.Options{}, errSyntax},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := strictjson.Check([]byte(tc.in), tc.o)
			switch {
			case tc.want == nil && err != nil:
				t.Fatalf("Check(%.40q) = %v, want nil", tc.in, err)
			case tc.want == errSyntax && err == nil:
				t.Fatalf("Check(%.40q) = nil, want a syntax error", tc.in)
			case tc.want != nil && tc.want != errSyntax && !errors.Is(err, tc.want):
				t.Fatalf("Check(%.40q) = %v, want %v", tc.in, err, tc.want)
			}
		})
	}
}

var errSyntax = errors.New("syntax")

// TestFoldKeyMatchesDecoder checks FoldKey against encoding/json itself:
// two keys fold alike exactly when the decoder fills the same field.
func TestFoldKeyMatchesDecoder(t *testing.T) {
	keys := []string{"k", "K", "\u212a", "s", "S", "ſ", "a", "ß", "ẞ", "é", "É", "ǅ", "ǆ", "Ǆ", "ı", "I", "i", "İ", "σ", "ς", "Σ"}
	for _, field := range keys {
		for _, key := range keys {
			doc := fmt.Sprintf(`{%q: 1}`, key)
			matched := decodesInto(t, field, doc)
			if got := strictjson.FoldKey(field) == strictjson.FoldKey(key); got != matched {
				t.Errorf("FoldKey(%q) == FoldKey(%q) is %v; encoding/json matches: %v", field, key, got, matched)
			}
			if got, want := strictjson.FoldKey(field) == strictjson.FoldKey(key), strings.EqualFold(field, key); got != want {
				t.Errorf("FoldKey(%q) == FoldKey(%q) is %v; strings.EqualFold: %v", field, key, got, want)
			}
		}
	}
}

// decodesInto reports whether encoding/json fills a struct field tagged
// name from doc.
func decodesInto(t *testing.T, name, doc string) bool {
	t.Helper()
	v := newTagged(name)
	if err := json.Unmarshal([]byte(doc), v.Interface()); err != nil {
		t.Fatal(err)
	}
	return v.Elem().Field(0).Int() == 1
}

func TestUnmarshal(t *testing.T) {
	type doc struct {
		Name  string            `json:"name"`
		Extra map[string]string `json:"extra"`
	}
	noExtra := func(path []string) bool { return len(path) == 0 }
	for _, tc := range []struct {
		name     string
		in       string
		o        strictjson.Options
		want     error // nil: accepted; errSyntax: any other error
		wantName string
	}{
		{"ok", `{"name": "a"}`, strictjson.Options{}, nil, "a"},
		{"duplicate", `{"name": "a", "Name": "b"}`, strictjson.Options{}, strictjson.ErrDuplicateKey, ""},
		{"map keys exact", `{"name": "a", "extra": {"k": "1", "K": "2"}}`, strictjson.Options{Fold: noExtra}, nil, "a"},
		{"unknown field", `{"name": "a", "role": "admin"}`, strictjson.Options{}, errSyntax, ""},
		{"wrong type", `{"name": 1}`, strictjson.Options{}, errSyntax, ""},
		{"trailing", `{"name": "a"} {}`, strictjson.Options{}, strictjson.ErrTrailingData, ""},
		{"too deep", `{"extra": {}}`, strictjson.Options{MaxDepth: 1}, strictjson.ErrTooDeep, ""},
		{"empty", ``, strictjson.Options{}, errSyntax, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d doc
			err := strictjson.Unmarshal([]byte(tc.in), &d, tc.o)
			switch {
			case tc.want == nil:
				if err != nil {
					t.Fatalf("Unmarshal(%q) = %v, want nil", tc.in, err)
				}
				if d.Name != tc.wantName {
					t.Errorf("Unmarshal(%q): name %q, want %q", tc.in, d.Name, tc.wantName)
				}
			case tc.want == errSyntax:
				if err == nil {
					t.Fatalf("Unmarshal(%q) = nil, want an error", tc.in)
				}
			case !errors.Is(err, tc.want):
				t.Fatalf("Unmarshal(%q) = %v, want %v", tc.in, err, tc.want)
			}
		})
	}
}
