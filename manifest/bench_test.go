package manifest_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tlog"
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

// The scale benchmarks of the promotion log (issue 16). They fill a store
// to each length with manifest.FillLog (entries written in the store's
// layout, then added to its tree by the store on first use: the catch-up
// a store written before the tree goes through, logged with its time),
// and measure the real, durable operations at that length.
//
// RELEASEKIT_BENCH_ENTRIES sets the longest log (default 10,000; the
// issue's figures are for 1,000,000, which takes the DirStore minutes to
// fill and about 4 GB of disk):
//
//	RELEASEKIT_BENCH_ENTRIES=1000000 nice go test ./manifest -run '^$' \
//	    -bench 'LogScale/dir' -benchtime 2000x -timeout 3h
//
// A GitStore is filled to at most 100,000 entries (one loose object per
// entry, and more per append).
func benchMax() int {
	if v, err := strconv.Atoi(os.Getenv("RELEASEKIT_BENCH_ENTRIES")); err == nil && v > 0 {
		return v
	}
	return 10_000
}

type benchStore struct {
	name string
	max  int
	open func(b *testing.B) (manifest.Store, string)
}

var benchStores = []benchStore{
	{"dir", 1 << 62, func(b *testing.B) (manifest.Store, string) {
		dir := b.TempDir()
		st, err := manifest.NewDirStore(dir)
		if err != nil {
			b.Fatal(err)
		}
		return st, dir
	}},
	{"git", 100_000, func(b *testing.B) (manifest.Store, string) {
		dir := b.TempDir()
		repo, err := git.PlainInit(dir, false)
		if err != nil {
			b.Fatal(err)
		}
		st, err := manifest.NewGitStore(repo)
		if err != nil {
			b.Fatal(err)
		}
		return st, dir
	}},
}

// fill grows st to n entries made by mk and has the store add them to its
// tree.
func fill(b *testing.B, st manifest.TreeLog, n uint64, mk func(uint64) manifest.Entry) {
	b.Helper()
	ctx := context.Background()
	tr, err := st.Tree(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if tr.Size >= n {
		return
	}
	start := time.Now()
	if err := manifest.FillLog(ctx, st, int(n-tr.Size), mk); err != nil {
		b.Fatal(err)
	}
	written := time.Since(start)
	start = time.Now()
	if tr, err = st.Tree(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled to %d entries: written in %s, added to the tree (chain checked) in %s", tr.Size, written.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

func benchNote(seq uint64) manifest.Entry {
	return manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprintf("deployed build %d of service-%d to prod-eu", seq, seq%100)}
}

// BenchmarkLogScale measures, at 1k, 10k, 100k and 1M entries (up to
// benchMax): one durable Append; building an inclusion proof (reading its
// O(log N) hashes from the store) and verifying it; the same for a
// consistency proof between the tree at half the length and the whole;
// and, reported with the appends, the store's disk use. It logs the time
// of VerifyTree over the whole log at each length.
func BenchmarkLogScale(b *testing.B) {
	ctx := context.Background()
	for _, bs := range benchStores {
		b.Run(bs.name, func(b *testing.B) {
			s, dir := bs.open(b)
			st := s.(manifest.TreeLog)
			rng := rand.New(rand.NewPCG(1, 2))
			for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
				if n > benchMax() || n > bs.max {
					break
				}
				fill(b, st, uint64(n), benchNote)
				b.Run(fmt.Sprintf("append/entries=%d", n), func(b *testing.B) {
					i := 0
					for b.Loop() {
						if _, err := st.Append(ctx, benchNote(uint64(i))); err != nil {
							b.Fatal(err)
						}
						i++
					}
					disk, apparent := diskUse(dir)
					b.ReportMetric(float64(disk)/(1<<20), "disk-MiB")
					b.ReportMetric(float64(apparent)/(1<<20), "files-MiB")
				})
				tr, err := st.Tree(ctx)
				if err != nil {
					b.Fatal(err)
				}
				root, _ := tr.Root()
				b.Run(fmt.Sprintf("prove-inclusion/entries=%d", n), func(b *testing.B) {
					var hashes int
					for b.Loop() {
						p, err := manifest.ProveEntry(ctx, st, 1+rng.Uint64N(tr.Size), tr.Size)
						if err != nil {
							b.Fatal(err)
						}
						hashes = len(p.Hashes)
					}
					b.ReportMetric(float64(hashes), "hashes")
				})
				p, err := manifest.ProveEntry(ctx, st, 1+tr.Size/3, tr.Size)
				if err != nil {
					b.Fatal(err)
				}
				b.Run(fmt.Sprintf("verify-inclusion/entries=%d", n), func(b *testing.B) {
					for b.Loop() {
						if err := p.Verify(root); err != nil {
							b.Fatal(err)
						}
					}
				})
				old := tr.Size / 2
				oldTree, err := tlog.TreeAt(ctx, st, old)
				if err != nil {
					b.Fatal(err)
				}
				oldRoot, _ := oldTree.Root()
				var cp []tlog.Hash
				b.Run(fmt.Sprintf("prove-consistency/entries=%d", n), func(b *testing.B) {
					for b.Loop() {
						if cp, err = manifest.ProveConsistency(ctx, st, old, tr.Size); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(len(cp)), "hashes")
				})
				b.Run(fmt.Sprintf("verify-consistency/entries=%d", n), func(b *testing.B) {
					for b.Loop() {
						if err := tlog.VerifyConsistency(old, tr.Size, cp, oldRoot, root); err != nil {
							b.Fatal(err)
						}
					}
				})
				start := time.Now()
				if _, err := manifest.VerifyTree(ctx, st); err != nil {
					b.Fatal(err)
				}
				b.Logf("VerifyTree of %d entries: %s", tr.Size, time.Since(start).Round(time.Millisecond))
			}
		})
	}
}

// plainStore hides the tree and the promotion index of the store it
// wraps: promotions then read and verify the whole log, as they did
// before the tree.
type plainStore struct{ manifest.Store }

// benchPromotion is the filler of the promotion loop: releases f0, f1, …
// each promoted to dev, staging and prod, as Promote logs them.
func benchPromotion(seq uint64) manifest.Entry {
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Minute)
	env := []string{"dev", "staging", "prod"}[seq%3]
	rel := fmt.Sprintf("f%d", seq/3)
	return manifest.Entry{Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{
		Release: rel, Env: env, Digest: digestOf(rel), Approver: "alice", Reason: "tested in " + env,
		RequestedAt: at, PromotedAt: at, Releaser: "ci-bot", Actor: &manifest.Actor{Name: "ci-bot"},
		Order: []string{"dev", "staging", "prod"}, Production: env == "prod",
	}}
}

// BenchmarkPromotionLoop is the loop (record, dev, staging, prod
// through manifest.Promote) on a store whose log already holds N
// promotion entries; it reports the time of one promotion. "index" is
// the store as it is (the promotions decide on its promotion index);
// "readlog" the same store without it, reading and verifying the whole
// log per promotion, as every promotion did before the tree.
func BenchmarkPromotionLoop(b *testing.B) {
	ctx := context.Background()
	for _, bs := range benchStores {
		for _, n := range []int{500, 1_700, 10_000, 100_000} {
			if n > benchMax() || n > bs.max {
				break
			}
			for _, mode := range []string{"index", "readlog"} {
				if mode == "readlog" && n > 10_000 {
					continue
				}
				b.Run(fmt.Sprintf("%s/entries=%d/%s", bs.name, n, mode), func(b *testing.B) {
					s, _ := bs.open(b)
					fill(b, s.(manifest.TreeLog), uint64(n), benchPromotion)
					if mode == "readlog" {
						s = plainStore{s}
					}
					i := 0
					for b.Loop() {
						rel := fmt.Sprintf("v%d.0.0", i)
						if err := s.PutRecord(ctx, completeRecord(rel, rel)); err != nil {
							b.Fatal(err)
						}
						for _, env := range []string{"dev", "staging", "prod"} {
							if _, err := promote(ctx, s, req(rel, env, rel)); err != nil {
								b.Fatal(err)
							}
						}
						i++
					}
					b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(3*b.N), "ms/promotion")
				})
			}
		}
	}
}
