package gittest

import (
	"bufio"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// MergeHeavyMin is the smallest n that [MergeHeavy] accepts.
const MergeHeavyMin = 50

// MergeHeavy builds a repository of exactly n commits (n >= [MergeHeavyMin]),
// all reachable from its branches, whose graph is hard to walk, for tests
// that compare a history walker with `git rev-list`. Random steps (commits
// on main, on feature branches and on the release branch, and merges) fill
// the gaps between these fixed events, in date order:
//
//   - an initial commit on main with README.md and files under api/, web/
//     and docs/; every later commit changes one file, so path filters select
//     subsets;
//   - feature branches (feature/api-1, ...) forked from main's tip or from an
//     older main commit, with --no-ff merges into main, merges of main into
//     them and merges between them, chosen at random;
//   - the lightweight tag v0.1.0 and the annotated tag v1.0.0 on main, and
//     the branch release/1.x forked at v1.0.0;
//   - a criss-cross merge (two branches each merging the other's old tip, so
//     they have two merge bases);
//   - one octopus merge of two feature branches into main (3 parents);
//   - the annotated tag v1.0.1 on release/1.x;
//   - a fix on main cherry-picked to release/1.x with the real
//     `git cherry-pick -x`, and a feat on main undone with the real
//     `git revert`;
//   - a merge of release/1.x into main tagged with the annotated v1.1.0, and
//     the lightweight tag v1.0.2 on release/1.x after it.
//
// Messages are a mix of Conventional Commits as in [Spec]. The same seed and
// n always give the same hashes. HEAD is main, checked out. All other
// commits are written with one `git fast-import` before and one after the
// cherry-pick and revert, so building a few hundred commits takes well under
// a second.
func MergeHeavy(t testing.TB, seed int64, n int) *Repo {
	t.Helper()
	if n < MergeHeavyMin {
		t.Fatalf("gittest: MergeHeavy needs n >= %d, got %d", MergeHeavyMin, n)
	}
	r := New(t)
	m := &mergeHeavy{
		r:     r,
		t:     t,
		n:     n,
		rng:   rand.New(rand.NewPCG(uint64(seed), 3)),
		msgs:  newMessageGen(rand.New(rand.NewPCG(uint64(seed), 4))),
		marks: filepath.Join(r.home, "marks"),
	}
	m.msgs.featPct, m.msgs.breakPerMil = 30, 10
	m.run()
	return r
}

// An mhFile is one file in the model of a branch's tree. ver orders writes:
// a merge keeps the version with the highest ver, which is what a 3-way merge
// gives when one side changed the file, and a fixed resolution when both did.
type mhFile struct {
	ver     int
	content string
	gone    bool // deleted at ver
}

// An mhBranch is a branch in the model.
type mhBranch struct {
	name   string
	tip    string // commit-ish for fast-import: ":mark" or a full hash
	idx    int    // index of the commit at tip
	files  map[string]mhFile
	reach  bitset // commits reachable from tip, by index
	dir    string // the directory its commits prefer ("" for any)
	active bool
}

// An mhSnap is a past state of main that a feature branch can fork from.
type mhSnap struct {
	tip   string
	idx   int
	files map[string]mhFile
	reach bitset
}

// A bitset holds commit indexes.
type bitset []uint64

func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) or(c bitset) {
	for i := range b {
		b[i] |= c[i]
	}
}

// mergeHeavy builds MergeHeavy's repository.
type mergeHeavy struct {
	r     *Repo
	t     testing.TB
	n     int
	rng   *rand.Rand
	msgs  *messageGen
	fi    *fastImport
	marks string // marks file shared by the two fast-import runs

	count int // commits written: the next commit's index
	mark  int
	ver   int

	main, release *mhBranch
	features      []*mhBranch
	nfeat         int
	history       []mhSnap // main's recent states
	pick, undo    int      // marks of the commits to cherry-pick and revert
	pickOp        fileOp
	undoPath      string
	msg           []byte
}

// run writes the history: scripted events at fixed fractions of n, random
// steps in between.
func (m *mergeHeavy) run() {
	m.t.Helper()
	m.start()
	events := []struct {
		at  float64
		run func()
	}{
		{0, m.initial},
		{0.08, m.tagV010},
		{0.15, m.releaseV100},
		{0.30, m.crissCross},
		{0.40, m.octopus},
		{0.50, m.releaseV101},
		{0.55, m.pickAndUndoSources},
		{0.60, m.pickAndUndo},
		{0.70, m.mergeRelease},
		{0.80, m.releaseV102},
	}
	for ev := 0; ev < len(events) || m.count < m.n; {
		if ev < len(events) && (m.count >= int(events[ev].at*float64(m.n)) || m.count >= m.n) {
			events[ev].run()
			ev++
			continue
		}
		m.step()
	}
	if err := m.fi.finish(); err != nil {
		m.t.Fatal(err)
	}
	m.r.Git("read-tree", "--reset", "-u", "HEAD")
	if m.count != m.n {
		m.t.Fatalf("gittest: MergeHeavy wrote %d commits, want %d", m.count, m.n)
	}
}

// start starts fast-import, loading the marks of an earlier run if any.
func (m *mergeHeavy) start() {
	m.t.Helper()
	args := []string{"--export-marks=" + m.marks}
	if m.fi != nil {
		args = append(args, "--import-marks="+m.marks)
	}
	fi, err := startFastImport(m.t.Context(), m.r.Dir, m.r.Env(), args...)
	if err != nil {
		m.t.Fatal(err)
	}
	m.fi = fi
}

// write writes a commit on b with msg and ops, merging others. It does not
// update the model of b's files: its callers do.
func (m *mergeHeavy) write(b *mhBranch, msg []byte, ops []fileOp, others ...*mhBranch) {
	var merge []string
	for _, o := range others {
		merge = append(merge, o.tip)
		b.reach.or(o.reach)
	}
	m.mark++
	m.fi.commit("refs/heads/"+b.name, m.mark, m.r.next.Unix(), msg, b.tip, merge, ops)
	m.r.Tick()
	m.advance(b, markRef(m.mark))
}

// advance records that b's tip is now tip, the commit with index m.count.
func (m *mergeHeavy) advance(b *mhBranch, tip string) {
	if b.reach == nil {
		b.reach = make(bitset, (m.n+63)/64)
	}
	b.reach.set(m.count)
	b.tip, b.idx = tip, m.count
	m.count++
	if b == m.main {
		m.history = append(m.history, mhSnap{tip: b.tip, idx: b.idx, files: maps.Clone(b.files), reach: slices.Clone(b.reach)})
		if len(m.history) > 8 {
			m.history = m.history[1:]
		}
	}
}

// commit writes a commit on b with msg that applies ops, and updates the
// model of b's files.
func (m *mergeHeavy) commit(b *mhBranch, msg []byte, ops []fileOp) {
	for _, op := range ops {
		m.ver++
		b.files[op.path] = mhFile{ver: m.ver, content: op.content, gone: op.del}
	}
	m.write(b, msg, ops)
}

// change returns a change to one of the three files of a directory (b's
// preferred one most of the time), or to README.md, and its scope.
func (m *mergeHeavy) change(b *mhBranch) (fileOp, string) {
	dir := b.dir
	if dir == "" || m.rng.IntN(4) == 0 {
		dir = [...]string{"api", "web", "docs"}[m.rng.IntN(3)]
	}
	path := dir + "/file" + strconv.Itoa(m.rng.IntN(3)) + ".txt"
	if m.rng.IntN(20) == 0 {
		path, dir = "README.md", ""
	}
	return fileOp{path: path, content: path + " v" + strconv.Itoa(m.ver+1) + "\n"}, dir
}

// plain writes an ordinary commit on b with a generated message: no
// features or breaking changes on the release branch.
func (m *mergeHeavy) plain(b *mhBranch) {
	op, scope := m.change(b)
	if b == m.release {
		m.msgs.featPct, m.msgs.breakPerMil = 0, 0
	}
	m.msg = m.msgs.commit(m.msg[:0], m.count, scope)
	m.msgs.featPct, m.msgs.breakPerMil = 30, 10
	m.commit(b, m.msg, []fileOp{op})
}

// merge writes a merge of others into b, with the tree the model's merge
// rule gives.
func (m *mergeHeavy) merge(b *mhBranch, msg []byte, others ...*mhBranch) {
	result := maps.Clone(b.files)
	for _, o := range others {
		for p, f := range o.files {
			if cur, ok := result[p]; !ok || f.ver > cur.ver {
				result[p] = f
			}
		}
	}
	var ops []fileOp
	for _, p := range slices.Sorted(maps.Keys(result)) {
		f := result[p]
		old, had := b.files[p]
		switch {
		case had && f.ver == old.ver:
		case f.gone && had && !old.gone:
			ops = append(ops, fileOp{path: p, del: true})
		case f.gone: // nothing to delete here
		default:
			ops = append(ops, fileOp{path: p, content: f.content})
		}
	}
	b.files = result
	m.write(b, msg, ops, others...)
}

// newFeature forks a feature branch from main's tip or, sometimes, from one
// of main's recent states, and writes its first commit.
func (m *mergeHeavy) newFeature() *mhBranch {
	snap := m.history[len(m.history)-1]
	if m.rng.IntN(10) < 3 {
		snap = m.history[m.rng.IntN(len(m.history))]
	}
	m.nfeat++
	dir := [...]string{"api", "web", "docs"}[m.rng.IntN(3)]
	f := &mhBranch{
		name:   "feature/" + dir + "-" + strconv.Itoa(m.nfeat),
		tip:    snap.tip,
		idx:    snap.idx,
		files:  maps.Clone(snap.files),
		reach:  slices.Clone(snap.reach),
		dir:    dir,
		active: true,
	}
	m.features = append(m.features, f)
	m.plain(f)
	return f
}

// active returns the active feature branches.
func (m *mergeHeavy) active() []*mhBranch {
	var out []*mhBranch
	for _, f := range m.features {
		if f.active {
			out = append(out, f)
		}
	}
	return out
}

// ahead reports whether from has commits that into lacks.
func ahead(from, into *mhBranch) bool { return !into.reach.has(from.idx) }

// step writes exactly one commit chosen at random.
func (m *mergeHeavy) step() {
	active := m.active()
	type choice struct {
		weight int
		run    func()
	}
	var choices []choice
	add := func(w int, ok bool, run func()) {
		if ok {
			choices = append(choices, choice{w, run})
		}
	}
	pickFeature := func(ok func(f *mhBranch) bool) *mhBranch {
		var c []*mhBranch
		for _, f := range active {
			if ok(f) {
				c = append(c, f)
			}
		}
		if len(c) == 0 {
			return nil
		}
		return c[m.rng.IntN(len(c))]
	}
	intoMain := pickFeature(func(f *mhBranch) bool { return ahead(f, m.main) })
	fromMain := pickFeature(func(f *mhBranch) bool { return ahead(m.main, f) })
	var pairA, pairB *mhBranch
	if len(active) >= 2 {
		pairA, pairB = active[m.rng.IntN(len(active))], active[m.rng.IntN(len(active))]
		if pairA == pairB || !ahead(pairB, pairA) {
			pairA = nil
		}
	}
	add(25, true, func() { m.plain(m.main) })
	add(35, len(active) > 0, func() { m.plain(active[m.rng.IntN(len(active))]) })
	add(5, m.release != nil, func() { m.plain(m.release) })
	add(15, intoMain != nil, func() {
		m.merge(m.main, m.msgs.merge(m.msg[:0], intoMain.name), intoMain)
		if m.rng.IntN(10) < 4 {
			intoMain.active = false
		}
	})
	add(8, fromMain != nil, func() {
		m.merge(fromMain, append(m.msg[:0], "Merge branch 'main' into "+fromMain.name+"\n"...), m.main)
	})
	add(4, pairA != nil, func() {
		m.merge(pairA, append(m.msg[:0], "Merge branch '"+pairB.name+"' into "+pairA.name+"\n"...), pairB)
	})
	add(8, len(active) < 3, func() { m.newFeature() })
	total := 0
	for _, c := range choices {
		total += c.weight
	}
	n := m.rng.IntN(total)
	for _, c := range choices {
		if n < c.weight {
			c.run()
			return
		}
		n -= c.weight
	}
}

// initial writes main's first commit.
func (m *mergeHeavy) initial() {
	m.main = &mhBranch{name: "main", files: map[string]mhFile{}}
	ops := []fileOp{{path: "README.md", content: "# demo\n"}}
	for _, d := range []string{"api", "web", "docs"} {
		ops = append(ops, fileOp{path: d + "/file0.txt", content: d + "/file0.txt v0\n"})
	}
	m.commit(m.main, append(m.msg[:0], "Initial commit\n"...), ops)
}

// tag writes an annotated tag (or a lightweight one) at b's tip.
func (m *mergeHeavy) tag(name string, b *mhBranch, annotated bool) {
	if annotated {
		m.fi.annotatedTag(name, b.tip, m.r.next.Unix(), []byte("Release "+name+"\n"))
	} else {
		m.fi.reset("refs/tags/"+name, b.tip)
	}
}

func (m *mergeHeavy) tagV010() { m.tag("v0.1.0", m.main, false) }

// releaseV100 tags v1.0.0 on a new main commit and forks release/1.x there.
func (m *mergeHeavy) releaseV100() {
	op, _ := m.change(m.main)
	m.commit(m.main, append(m.msg[:0], "feat: first stable API (#12)\n\nRefs: PROJ-1\n"...), []fileOp{op})
	m.tag("v1.0.0", m.main, true)
	m.release = &mhBranch{
		name:  "release/1.x",
		tip:   m.main.tip,
		idx:   m.main.idx,
		files: maps.Clone(m.main.files),
		reach: slices.Clone(m.main.reach),
	}
	m.fi.reset("refs/heads/release/1.x", m.release.tip)
}

// twoFeatures returns two active feature branches, creating them as needed.
func (m *mergeHeavy) twoFeatures() (*mhBranch, *mhBranch) {
	for len(m.active()) < 2 {
		m.newFeature()
	}
	a := m.active()
	return a[0], a[1]
}

// crissCross makes x and y merge each other's tips of the moment, so that
// they end with two merge bases.
func (m *mergeHeavy) crissCross() {
	x, y := m.twoFeatures()
	m.plain(x)
	m.plain(y)
	oldX := &mhBranch{name: x.name, tip: x.tip, idx: x.idx, files: maps.Clone(x.files), reach: slices.Clone(x.reach)}
	m.merge(x, append(m.msg[:0], "Merge branch '"+y.name+"' into "+x.name+"\n"...), y)
	m.merge(y, append(m.msg[:0], "Merge branch '"+x.name+"' into "+y.name+"\n"...), oldX)
}

// octopus merges two feature branches into main in one commit.
func (m *mergeHeavy) octopus() {
	x, y := m.twoFeatures()
	m.plain(x)
	m.plain(y)
	m.merge(m.main, append(m.msg[:0], "Merge branches '"+x.name+"' and '"+y.name+"'\n"...), x, y)
	x.active, y.active = false, false
}

// releaseV101 fixes release/1.x and tags v1.0.1.
func (m *mergeHeavy) releaseV101() {
	op, _ := m.change(m.release)
	m.commit(m.release, append(m.msg[:0], "fix: backport the config loader fix\n\nRefs: PROJ-7\n"...), []fileOp{op})
	m.tag("v1.0.1", m.release, true)
}

// pickAndUndoSources writes, on main, a fix that adds a new file (to be
// cherry-picked) and a feat that adds a new file (to be reverted): new files
// apply cleanly whatever happened elsewhere.
func (m *mergeHeavy) pickAndUndoSources() {
	m.pickOp = fileOp{path: "api/fix-" + strconv.Itoa(m.count) + ".txt", content: "guard\n"}
	m.commit(m.main, append(m.msg[:0], "fix(api): guard against an empty release list\n\nRefs: PROJ-42\n"...), []fileOp{m.pickOp})
	m.pick = m.mark
	m.undoPath = "web/feature-" + strconv.Itoa(m.count) + ".txt"
	m.commit(m.main, append(m.msg[:0], "feat(web): add a release dashboard (#77)\n"...), []fileOp{{path: m.undoPath, content: "dashboard\n"}})
	m.undo = m.mark
}

// pickAndUndo ends the first fast-import, cherry-picks the fix onto
// release/1.x and reverts the feat on main with the real git, and starts
// the second fast-import.
func (m *mergeHeavy) pickAndUndo() {
	m.t.Helper()
	if err := m.fi.finish(); err != nil {
		m.t.Fatal(err)
	}
	shas := m.readMarks()
	r := m.r
	r.Git("checkout", "-q", "-f", m.release.name)
	m.release.files[m.pickOp.path] = m.main.files[m.pickOp.path]
	m.advance(m.release, r.CherryPick(shas[m.pick]))
	r.Checkout("main")
	m.ver++
	m.main.files[m.undoPath] = mhFile{ver: m.ver, gone: true}
	m.advance(m.main, r.Revert(shas[m.undo]))
	m.start()
}

// readMarks reads the marks file written by fast-import.
func (m *mergeHeavy) readMarks() map[int]string {
	m.t.Helper()
	f, err := os.Open(m.marks)
	if err != nil {
		m.t.Fatal(err)
	}
	defer f.Close()
	shas := map[int]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		mark, sha, ok := strings.Cut(strings.TrimPrefix(sc.Text(), ":"), " ")
		n, err := strconv.Atoi(mark)
		if !ok || err != nil {
			m.t.Fatalf("gittest: bad line in fast-import marks: %q", sc.Text())
		}
		shas[n] = sha
	}
	if err := sc.Err(); err != nil {
		m.t.Fatal(err)
	}
	return shas
}

// mergeRelease merges release/1.x into main and tags v1.1.0 there.
func (m *mergeHeavy) mergeRelease() {
	m.merge(m.main, append(m.msg[:0], "Merge branch 'release/1.x'\n"...), m.release)
	m.tag("v1.1.0", m.main, true)
}

// releaseV102 fixes release/1.x again and tags v1.0.2, lightweight.
func (m *mergeHeavy) releaseV102() {
	op, _ := m.change(m.release)
	m.commit(m.release, append(m.msg[:0], "fix: escape tag names in the changelog\n"...), []fileOp{op})
	m.tag("v1.0.2", m.release, false)
}
