package strictjson_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/releasekit/releasekit/internal/strictjson"
)

// deepObjects returns a document of n objects nested in one another,
// {"a":{"a":...1...}}: 6n bytes, n deep.
func deepObjects(n int) []byte {
	return []byte(strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n))
}

// wideObjects returns an array of n small objects side by side, each two
// deep: about as many bytes per object as deepObjects.
func wideObjects(n int) []byte {
	return []byte("[" + strings.Repeat(`{"a":1},`, n-1) + `{"a":1}]`)
}

// pathFold is a Fold like the manifest's: it looks at every key of the
// path, so that it costs the depth of the object.
func pathFold(steps *int) func(path []string) bool {
	return func(path []string) bool {
		for _, k := range path {
			*steps++
			if strings.EqualFold(k, "extra") {
				return false
			}
		}
		*steps++
		return true
	}
}

// TestCheckDeepIsLinear counts the work of Check on documents nested far
// deeper than allowed: the depth pass refuses them before any object is
// walked (no Fold call), with a constant number of allocations whatever
// the depth. Before that pass, Check walked 9,999 levels and a Fold like
// the manifest's made it quadratic (seconds for 60 KB).
func TestCheckDeepIsLinear(t *testing.T) {
	for _, n := range []int{100, 1000, 9999} {
		data := deepObjects(n)
		steps := 0
		o := strictjson.Options{Fold: pathFold(&steps)}
		err := strictjson.Check(data, o)
		var de *strictjson.DepthError
		if !errors.As(err, &de) || !errors.Is(err, strictjson.ErrTooDeep) {
			t.Fatalf("depth %d: Check = %v, want a *DepthError", n, err)
		}
		if de.Max != strictjson.DefaultMaxDepth || de.Offset != int64(5*strictjson.DefaultMaxDepth) {
			t.Errorf("depth %d: DepthError %+v, want Max %d at offset %d", n, de, strictjson.DefaultMaxDepth, 5*strictjson.DefaultMaxDepth)
		}
		if steps != 0 {
			t.Errorf("depth %d: Fold took %d steps before the refusal, want 0", n, steps)
		}
		if allocs := testing.AllocsPerRun(10, func() { _ = strictjson.Check(data, o) }); allocs > 2 {
			t.Errorf("depth %d: Check allocates %v times, want at most 2", n, allocs)
		}
	}
}

// TestCheckFoldCallsLinear counts Fold's steps on accepted documents: one
// call per object, each costing at most the object's depth, so the work
// grows with the size of the document and not with its square.
func TestCheckFoldCallsLinear(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		max  int // bound on Fold's steps
	}{
		{"deepest allowed", deepObjects(strictjson.DefaultMaxDepth), strictjson.DefaultMaxDepth * (strictjson.DefaultMaxDepth + 1) / 2},
		{"wide", wideObjects(10000), 2 * 10000},
	} {
		steps := 0
		if err := strictjson.Check(tc.data, strictjson.Options{Fold: pathFold(&steps)}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if steps > tc.max {
			t.Errorf("%s: Fold took %d steps for %d bytes, want at most %d", tc.name, steps, len(tc.data), tc.max)
		}
	}
}

func TestDepthErrorIgnoresStrings(t *testing.T) {
	// Brackets inside strings, escaped quotes included, do not count.
	doc := `{"a": "[[[[\"[[[[", "b": ["]]]]{{{{"]}`
	if err := strictjson.Check([]byte(doc), strictjson.Options{MaxDepth: 2}); err != nil {
		t.Fatalf("Check(%s) = %v", doc, err)
	}
}

// BenchmarkCheckDeep measures Check on a 60 KB document nested 9,999 deep
// (refused) and on one of the same size nested 2 deep (accepted): both are
// one pass. Before the depth pass the deep one took seconds with the
// manifest's Fold.
func BenchmarkCheckDeep(b *testing.B) {
	for _, bc := range []struct {
		name string
		data []byte
	}{
		{"deep9999", deepObjects(9999)},
		{"wide", wideObjects(7500)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			steps := 0
			o := strictjson.Options{Fold: pathFold(&steps)}
			b.SetBytes(int64(len(bc.data)))
			for b.Loop() {
				_ = strictjson.Check(bc.data, o)
			}
		})
	}
}
