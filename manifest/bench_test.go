package manifest_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
)

// deepDoc returns a 60 KB document whose field "x" holds objects nested
// depth deep: what the issue measured at 25 s for `relctl manifest diff`
// when the nesting was walked with a path-length Fold per object.
func deepDoc(depth int) []byte {
	return []byte(`{"version":1,"x":` + strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth) + "}")
}

// TestParseDeepRefused: a manifest or log entry nested 9,999 deep is
// refused as too deep, with a constant number of allocations whatever the
// depth (the depth pass stops at the limit).
func TestParseDeepRefused(t *testing.T) {
	for _, parse := range []struct {
		name string
		fn   func([]byte) error
	}{
		{"ParseManifest", func(b []byte) error { _, err := manifest.ParseManifest(b); return err }},
		{"ParseEntry", func(b []byte) error { _, err := manifest.ParseEntry(b); return err }},
		{"ParseRecord", func(b []byte) error { _, err := manifest.ParseRecord(b); return err }},
	} {
		var allocs [2]float64
		for i, depth := range []int{999, 9999} {
			data := deepDoc(depth)
			if err := parse.fn(data); !errors.Is(err, strictjson.ErrTooDeep) {
				t.Fatalf("%s(depth %d) = %v, want ErrTooDeep", parse.name, depth, err)
			}
			allocs[i] = testing.AllocsPerRun(20, func() { _ = parse.fn(data) })
		}
		// Walking the nesting would cost thousands of allocations more at
		// ten times the depth; a few either way are the runtime's (the race
		// detector empties sync.Pools at random).
		if allocs[1] > 2*allocs[0] {
			t.Errorf("%s: %v allocations at depth 9999, %v at depth 999: the work grows with the depth", parse.name, allocs[1], allocs[0])
		}
	}
}

func BenchmarkParseManifestDeep(b *testing.B) {
	data := deepDoc(9999)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, _ = manifest.ParseManifest(data)
	}
}

func BenchmarkParseEntryDeep(b *testing.B) {
	data := deepDoc(9999)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		_, _ = manifest.ParseEntry(data)
	}
}
