// Package storetest is the test suite every manifest.Store that keeps a
// Merkle tree (manifest.TreeLog) passes: manifest.DirStore,
// manifest.GitStore and the OCI store run the same tests, so that the
// guarantees of the promotion log (policy §1.13.3.2, §1.21.3.4; §1.22,
// immutable deployment logs) hold whatever keeps it.
//
// # Tests
//
//   - Concurrency: twelve goroutines, each with its own handle, and three
//     processes append at once; every entry is in the log exactly once,
//     the hash chain verifies and the entries rebuild the stored tree.
//   - SIGKILL: a process appending without pause is killed with SIGKILL at
//     random points, several times; every append it reported is there, the
//     log verifies and the next append succeeds.
//   - Tamper: an entry rewritten in place is caught by manifest.VerifyTree
//     and manifest.VerifyLog (manifest.ErrTampered); a log rewritten from
//     an entry on, with its chain mended and its tree rebuilt, verifies on
//     its own but is caught by a consistency proof against an older
//     checkpoint (tlog.ErrProof).
//   - MisfiledRecord (when Store.PlantRecord is set): a record whose tag
//     is not the release it is filed as (a v2.0.1-rc.1 record filed as
//     v2.0.0) is refused by the store's Record and by manifest.Promote
//     with manifest.CheckRecordTag's refusal, logged as a denial
//     (§1.20.5.1, §1.20.3.1).
//   - Truncate: a log cut back to fewer entries (an old backup restored, a
//     ref reset) is caught against a checkpoint of the longer log
//     (manifest.ErrTruncated), and, once grown again past it, by the
//     consistency proof (tlog.ErrProof).
//
// # Use
//
// A store's test calls [Run] first thing in a top-level test function:
// the suite re-executes the test binary to run appenders in other
// processes, which select that same test function and find their orders
// in the environment, so the function must call Run before anything else.
//
//	func TestDirStoreSuite(t *testing.T) {
//		storetest.Run(t, storetest.Store{
//			New:      func(t *testing.T) string { return t.TempDir() },
//			Open:     func(loc string) (manifest.Store, error) { return manifest.NewDirStore(loc) },
//			Tamper:   tamperDir,
//			Truncate: truncateDir,
//		})
//	}
package storetest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tlog"
)

// A Store describes the store under test: how to make one, open it, and
// alter it behind its back as an attacker (or a restored backup) would.
// New, Open, Tamper and Truncate are required.
type Store struct {
	// New makes an empty store and returns its location, which Open
	// accepts in this process and in another.
	New func(t *testing.T) string
	// Open returns a new handle on the store at loc. The store it returns
	// must be a manifest.TreeLog.
	Open func(loc string) (manifest.Store, error)
	// Tamper replaces the stored bytes of entry e.Seq with the canonical
	// JSON of e (manifest.MarshalEntry), leaving everything else, the
	// store's tree included, as it is.
	Tamper func(t *testing.T, loc string, e manifest.Entry)
	// Truncate cuts the log back to its first size entries, tree
	// included, as restoring an older copy of the store would: the store
	// then holds a consistent, shorter log.
	Truncate func(t *testing.T, loc string, size uint64)
	// Retree, when set, drops the store's tree so that the store builds
	// it again from the entries it holds (after Tamper has rewritten
	// them): the forger's last step.
	Retree func(t *testing.T, loc string)
	// ContentAddressed says the store keeps each entry under its own hash
	// (an OCI registry's blobs): bytes rewritten there can never verify
	// again, so a forger cannot mend the chain in place, and the suite
	// checks instead that every read of the rewritten entry is refused
	// (the forged tree is still checked against the checkpoint).
	ContentAddressed bool
	// AfterKill, when set, runs after an appender was killed, before the
	// store is used again: the operator's step a store may need (a
	// GitStore's ref lock left by a killed writer, as git's own).
	AfterKill func(t *testing.T, loc string)
	// PlantRecord, when set, files data (a record's JSON) in the store
	// under the release name name behind the store's back, as a record
	// copied or renamed by hand would be: the MisfiledRecord test then
	// checks that the store and Promote refuse it. A store that cannot
	// hold a record under another name leaves it nil.
	PlantRecord func(t *testing.T, loc, name string, data []byte)
}

// The environment of a child appender.
const (
	envLoc  = "RELEASEKIT_STORETEST_LOC"
	envMode = "RELEASEKIT_STORETEST_MODE" // "append:ID:N" or "crash:ID"
)

// Run runs the suite on s, each test on a new store. In a child process
// (see the package comment) it appends as told and returns.
func Run(t *testing.T, s Store) {
	if loc := os.Getenv(envLoc); loc != "" {
		child(t, s, loc, os.Getenv(envMode))
		return
	}
	if s.New == nil || s.Open == nil || s.Tamper == nil || s.Truncate == nil {
		t.Fatal("storetest: Store needs New, Open, Tamper and Truncate")
	}
	t.Run("Concurrency", func(t *testing.T) { testConcurrency(t, s) })
	t.Run("SIGKILL", func(t *testing.T) { testKill(t, s) })
	t.Run("Tamper", func(t *testing.T) { testTamper(t, s) })
	t.Run("Truncate", func(t *testing.T) { testTruncate(t, s) })
	if s.PlantRecord != nil {
		t.Run("MisfiledRecord", func(t *testing.T) { testMisfiledRecord(t, s) })
	}
}

// testMisfiledRecord files a record of v2.0.1-rc.1 as v2.0.0 and checks
// that reading it and promoting v2.0.0 are refused.
func testMisfiledRecord(t *testing.T, s Store) {
	ctx := context.Background()
	loc := s.New(t)
	reopen := func() manifest.Store {
		st, err := s.Open(loc)
		if err != nil {
			t.Fatalf("open store: %v", err)
		}
		return st
	}
	st := reopen()
	rc := manifest.Record{
		Version: manifest.RecordVersion, Tag: "v2.0.1-rc.1", Commit: strings.Repeat("c", 40),
		Artifacts: []manifest.Artifact{{Name: "app", Digest: "sha256:" + strings.Repeat("a", 64)}},
	}
	if err := st.PutRecord(ctx, rc); err != nil {
		t.Fatalf("PutRecord: %v", err)
	}
	data, err := manifest.MarshalRecord(rc)
	if err != nil {
		t.Fatal(err)
	}
	s.PlantRecord(t, loc, "v2.0.0", data)
	st = reopen()
	want := &manifest.RefusalError{Reason: "record tag is not the release"}
	if _, err := st.Record(ctx, "v2.0.0"); !errors.Is(err, want) || !errors.Is(err, manifest.ErrInvalidRecord) {
		t.Fatalf("Record(v2.0.0) of a record tagged v2.0.1-rc.1: %v, want %v wrapping ErrInvalidRecord", err, want)
	}
	if got, err := st.Record(ctx, "v2.0.1-rc.1"); err != nil || got.Tag != rc.Tag {
		t.Fatalf("Record(v2.0.1-rc.1) = %q, %v; want the record", got.Tag, err)
	}
	e, err := manifest.Promote(ctx, st, manifest.PromoteRequest{Release: "v2.0.0", Env: "dev", Digest: rc.Artifacts[0].Digest, Releaser: "rel"})
	if !errors.Is(err, want) {
		t.Fatalf("Promote(v2.0.0) of a misfiled record: %v, want %v", err, want)
	}
	if e.Kind != manifest.KindDenied || e.Denial == nil || e.Denial.Release != "v2.0.0" {
		t.Fatalf("Promote(v2.0.0) logged %+v, want a denial of v2.0.0", e)
	}
}

func open(t *testing.T, s Store, loc string) manifest.TreeLog {
	t.Helper()
	st, err := s.Open(loc)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	tl, ok := st.(manifest.TreeLog)
	if !ok {
		t.Fatalf("store %T is not a manifest.TreeLog", st)
	}
	return tl
}

func note(id string, i int) manifest.Entry {
	return manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprintf("%s-%d", id, i)}
}

// child is a child process: it appends notes ID-0, ID-1, … printing
// "appended I" after each, N of them, or until it is killed.
func child(t *testing.T, s Store, loc, mode string) {
	kind, rest, _ := strings.Cut(mode, ":")
	id, count, _ := strings.Cut(rest, ":")
	n, err := strconv.Atoi(count)
	if kind == "crash" {
		n, err = -1, nil
	}
	if err != nil || (kind != "append" && kind != "crash") {
		t.Fatalf("storetest: child mode %q", mode)
	}
	st := open(t, s, loc)
	for i := 0; n < 0 || i < n; i++ {
		if _, err := st.Append(context.Background(), note(id, i)); err != nil {
			t.Fatalf("child %s: append %d: %v", id, i, err)
		}
		fmt.Printf("appended %d\n", i)
	}
}

// command returns the command that runs this test function again as a
// child appender.
func command(t *testing.T, loc, mode string) *exec.Cmd {
	top, _, _ := strings.Cut(t.Name(), "/")
	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(top)+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), envLoc+"="+loc, envMode+"="+mode)
	cmd.Stderr = os.Stderr
	return cmd
}

// verify checks the whole log: the chain (manifest.VerifyLog over
// Entries) and the tree (manifest.VerifyTree), and returns the entries.
func verify(t *testing.T, st manifest.TreeLog) []manifest.Entry {
	t.Helper()
	ctx := context.Background()
	entries, err := manifest.VerifyStore(ctx, st, nil)
	if err != nil {
		t.Fatalf("VerifyStore: %v", err)
	}
	tr, err := manifest.VerifyTree(ctx, st)
	if err != nil {
		t.Fatalf("VerifyTree: %v", err)
	}
	if tr.Size != uint64(len(entries)) {
		t.Fatalf("the tree has %d entries, the log %d", tr.Size, len(entries))
	}
	return entries
}

func testConcurrency(t *testing.T, s Store) {
	const goroutines, procs, each = 12, 3, 5
	loc := s.New(t)
	var cmds []*exec.Cmd
	for p := range procs {
		cmd := command(t, loc, fmt.Sprintf("append:p%d:%d", p, each))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			st, err := s.Open(loc)
			if err != nil {
				errs <- err
				return
			}
			for i := range each {
				if _, err := st.Append(context.Background(), note(fmt.Sprintf("g%d", g), i)); err != nil {
					errs <- fmt.Errorf("g%d: append %d: %w", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("child appender: %v", err)
		}
	}
	if t.Failed() {
		return
	}
	entries := verify(t, open(t, s, loc))
	seen := map[string]int{}
	for _, e := range entries {
		seen[e.Note]++
	}
	if len(entries) != (goroutines+procs)*each {
		t.Errorf("%d entries, want %d", len(entries), (goroutines+procs)*each)
	}
	for w := range goroutines + procs {
		id := fmt.Sprintf("g%d", w)
		if w >= goroutines {
			id = fmt.Sprintf("p%d", w-goroutines)
		}
		for i := range each {
			if n := seen[fmt.Sprintf("%s-%d", id, i)]; n != 1 {
				t.Errorf("entry %s-%d is in the log %d times", id, i, n)
			}
		}
	}
}

func testKill(t *testing.T, s Store) {
	loc := s.New(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	acked := 0 // appends reported done: a lower bound of the log's length
	for round := range 4 {
		cmd := command(t, loc, fmt.Sprintf("crash:k%d", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let it append a random number of entries, then kill it at a
		// random point of the next one.
		want := 1 + rng.IntN(8)
		sc := bufio.NewScanner(out)
		got := 0
		for got < want && sc.Scan() {
			if strings.HasPrefix(sc.Text(), "appended ") {
				got++
			}
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil { // SIGKILL on unix
			t.Fatal(err)
		}
		for sc.Scan() { // what it reported before it died
			if strings.HasPrefix(sc.Text(), "appended ") {
				got++
			}
		}
		_ = cmd.Wait()
		if got < want {
			t.Fatalf("round %d: the appender reported %d appends before it was killed, want %d", round, got, want)
		}
		acked += got
		if s.AfterKill != nil {
			s.AfterKill(t, loc)
		}
		st := open(t, s, loc)
		entries := verify(t, st)
		if len(entries) < acked {
			t.Fatalf("round %d: %d entries, but %d appends were reported done", round, len(entries), acked)
		}
		// The store stays writable.
		if _, err := st.Append(context.Background(), note("after", round)); err != nil {
			t.Fatalf("round %d: append after the kill: %v", round, err)
		}
		acked++
	}
	verify(t, open(t, s, loc))
}

// checkpoint is what a signed checkpoint commits to: the tree's size and
// root, and the chain's head.
type checkpoint struct {
	tree  tlog.Tree
	root  tlog.Hash
	chain manifest.Checkpoint
}

func take(t *testing.T, st manifest.TreeLog) checkpoint {
	t.Helper()
	entries := verify(t, st)
	tr, err := st.Tree(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	root, err := tr.Root()
	if err != nil {
		t.Fatal(err)
	}
	chain, err := manifest.NewCheckpoint(entries)
	if err != nil {
		t.Fatal(err)
	}
	return checkpoint{tr, root, chain}
}

func appendN(t *testing.T, st manifest.Log, id string, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if _, err := st.Append(context.Background(), note(id, i)); err != nil {
			t.Fatalf("append %s-%d: %v", id, i, err)
		}
	}
}

// memTree is the tree of entries, as an auditor rebuilds it.
func memTree(t *testing.T, entries []manifest.Entry) (tlog.Tree, *tlog.MemNodes) {
	t.Helper()
	var tr tlog.Tree
	nodes := new(tlog.MemNodes)
	for _, e := range entries {
		leaf, err := manifest.EntryLeafHash(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Append(leaf, nodes.Put); err != nil {
			t.Fatal(err)
		}
	}
	return tr, nodes
}

func testTamper(t *testing.T, s Store) {
	ctx := context.Background()
	loc := s.New(t)
	st := open(t, s, loc)
	appendN(t, st, "t", 0, 12)
	cp := take(t, st)
	appendN(t, st, "t", 12, 20)
	entries := verify(t, st)

	// One entry rewritten in place: the chain breaks, and its leaf is not
	// the tree's.
	forged := entries[4]
	forged.Note = "rewritten"
	s.Tamper(t, loc, forged)
	st = open(t, s, loc)
	if _, err := manifest.VerifyTree(ctx, st); !errors.Is(err, manifest.ErrTampered) {
		t.Errorf("VerifyTree of a rewritten entry: %v, want ErrTampered", err)
	}
	if _, err := manifest.VerifyStore(ctx, st, nil); !errors.Is(err, manifest.ErrTampered) {
		t.Errorf("VerifyLog of a rewritten entry: %v, want ErrTampered", err)
	}
	if _, err := st.Entry(ctx, 5); !errors.Is(err, manifest.ErrTampered) {
		t.Errorf("Entry of a rewritten entry: %v, want ErrTampered", err)
	}

	// The forger mends the chain from that entry on: the log alone
	// verifies, but the tree built from it does not extend the
	// checkpoint's.
	prev, err := entries[3].Hash()
	if err != nil {
		t.Fatal(err)
	}
	var rewritten []manifest.Entry
	for i, e := range entries {
		if i >= 4 {
			if i == 4 {
				e = forged
			}
			e.Prev = prev
			if !s.ContentAddressed {
				s.Tamper(t, loc, e)
			}
			if prev, err = e.Hash(); err != nil {
				t.Fatal(err)
			}
		}
		rewritten = append(rewritten, e)
	}
	if s.ContentAddressed {
		// Nothing can be mended in place: the rewritten entry stays
		// refused, by every way of reading it.
		if _, err := manifest.VerifyStore(ctx, st, nil); !errors.Is(err, manifest.ErrTampered) {
			t.Errorf("VerifyStore of a content-addressed store with a rewritten entry: %v, want ErrTampered", err)
		}
	} else {
		st = open(t, s, loc)
		got, err := manifest.VerifyStore(ctx, st, nil)
		if err != nil {
			t.Fatalf("the mended chain: %v", err)
		}
		if err := manifest.VerifyLog(got, &cp.chain); !errors.Is(err, manifest.ErrTampered) {
			t.Errorf("VerifyLog of the mended chain against the checkpoint: %v, want ErrTampered", err)
		}
		if _, err := manifest.VerifyTree(ctx, st); !errors.Is(err, manifest.ErrTampered) {
			t.Errorf("VerifyTree of the mended chain: %v, want ErrTampered (the store's tree is the honest one)", err)
		}
	}
	ftree, fnodes := memTree(t, rewritten)
	froot, err := ftree.Root()
	if err != nil {
		t.Fatal(err)
	}
	p, err := tlog.ConsistencyProof(ctx, fnodes, cp.tree.Size, ftree.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.VerifyConsistency(cp.tree.Size, ftree.Size, p, cp.root, froot); !errors.Is(err, tlog.ErrProof) {
		t.Errorf("consistency of the forged tree with the checkpoint: %v, want ErrProof", err)
	}

	if s.Retree == nil || s.ContentAddressed {
		return
	}
	// The forger rebuilds the store's tree: the store verifies on its own,
	// and only the checkpoint catches it.
	s.Retree(t, loc)
	st = open(t, s, loc)
	tr, err := manifest.VerifyTree(ctx, st)
	if err != nil {
		t.Fatalf("VerifyTree of the forged store: %v", err)
	}
	if r, _ := tr.Root(); r != froot {
		t.Fatalf("the store rebuilt root %s, the forger's is %s", r, froot)
	}
	if _, err := manifest.VerifyExtends(ctx, st, cp.tree.Size, cp.root); !errors.Is(err, tlog.ErrProof) {
		t.Errorf("VerifyExtends of the forged store: %v, want ErrProof", err)
	}
	p, err = manifest.ProveConsistency(ctx, st, cp.tree.Size, tr.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.VerifyConsistency(cp.tree.Size, tr.Size, p, cp.root, froot); !errors.Is(err, tlog.ErrProof) {
		t.Errorf("the store's consistency proof: %v, want ErrProof", err)
	}
}

func testTruncate(t *testing.T, s Store) {
	ctx := context.Background()
	loc := s.New(t)
	st := open(t, s, loc)
	appendN(t, st, "u", 0, 9)
	older := take(t, st)
	appendN(t, st, "u", 9, 16)
	cp := take(t, st)

	s.Truncate(t, loc, 9)
	st = open(t, s, loc)
	entries := verify(t, st) // a shorter log is consistent on its own
	if len(entries) != 9 {
		t.Fatalf("truncated to %d entries, want 9", len(entries))
	}
	if _, err := manifest.VerifyExtends(ctx, st, cp.tree.Size, cp.root); !errors.Is(err, manifest.ErrTruncated) {
		t.Errorf("VerifyExtends of the cut log: %v, want ErrTruncated", err)
	}
	if err := manifest.VerifyLog(entries, &cp.chain); !errors.Is(err, manifest.ErrTruncated) {
		t.Errorf("VerifyLog of the cut log against the checkpoint: %v, want ErrTruncated", err)
	}
	if _, err := manifest.VerifyExtends(ctx, st, older.tree.Size, older.root); err != nil {
		t.Errorf("the cut log still extends the checkpoint it was cut back to: %v", err)
	}

	// Grown again past the checkpoint, it is not the log the checkpoint
	// saw.
	appendN(t, st, "v", 0, 10)
	tr, err := manifest.VerifyTree(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Size <= cp.tree.Size {
		t.Fatalf("grown to %d entries, want more than %d", tr.Size, cp.tree.Size)
	}
	if _, err := manifest.VerifyExtends(ctx, st, cp.tree.Size, cp.root); !errors.Is(err, tlog.ErrProof) {
		t.Errorf("VerifyExtends of the cut and regrown log: %v, want ErrProof", err)
	}
	if _, err := manifest.VerifyExtends(ctx, st, older.tree.Size, older.root); err != nil {
		t.Errorf("the regrown log extends the checkpoint before the cut: %v", err)
	}
}
