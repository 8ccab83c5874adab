package tagging

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPackedRefBisectMatchesScan: the bisection of a sorted packed-refs
// file answers as the line-by-line scan does (found, hash, conflict), for
// names present, absent, in the way of others and under others.
func TestPackedRefBisectMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		var names []string
		for range rng.IntN(40) {
			n := fmt.Sprintf("refs/tags/v%d.%d.%d", rng.IntN(3), rng.IntN(3), rng.IntN(3))
			switch rng.IntN(6) {
			case 0:
				n = fmt.Sprintf("refs/heads/b%d", rng.IntN(5))
			case 1:
				n = fmt.Sprintf("refs/tags/v%d/x", rng.IntN(3))
			case 2:
				n = fmt.Sprintf("refs/tags/v%d", rng.IntN(3))
			}
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		var b strings.Builder
		b.WriteString("# pack-refs with: peeled fully-peeled sorted \n")
		for i, n := range names {
			fmt.Fprintf(&b, "%040x %s\n", i+1, n)
			if rng.IntN(2) == 0 {
				fmt.Fprintf(&b, "^%040x\n", 1000+i)
			}
		}
		sorted := b.String()
		unsorted := strings.Replace(sorted, " sorted ", " ", 1)
		for _, q := range append(slices.Clone(names), "refs/tags/v0", "refs/tags/v1.1.1", "refs/tags/v1/x", "refs/tags/v2.0.0/y", "refs", "refs/tags", "refs/heads/b9", "a", "zzz") {
			h1, f1, c1 := packedRef([]byte(sorted), q)
			h2, f2, c2 := packedRef([]byte(unsorted), q)
			assert.Equal(t, f2, f1, "round %d %s found", round, q)
			assert.Equal(t, h2, h1, "round %d %s hash", round, q)
			if !f1 {
				assert.Equal(t, c2, c1, "round %d %s conflict", round, q)
			}
		}
	}
}
