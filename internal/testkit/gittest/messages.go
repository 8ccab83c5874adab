package gittest

import (
	"bytes"
	"math/rand/v2"
	"strconv"
)

// Release levels, as Conventional Commits map commit messages to SemVer.
const (
	levelPatch = iota // fixes and everything else: a release is at least a patch
	levelMinor        // a "feat" commit
	levelMajor        // "type!:" or a "BREAKING CHANGE:" footer
)

// classify returns the release level that msg calls for: major for a header
// "type(scope)!: ..." or a line starting "BREAKING CHANGE:" or
// "BREAKING-CHANGE:", minor for a header of type "feat", patch otherwise
// (including messages that are not Conventional Commits).
func classify(msg []byte) int {
	header := msg
	if i := bytes.IndexByte(header, '\n'); i >= 0 {
		header = header[:i]
	}
	level := levelPatch
	if colon := bytes.Index(header, []byte(": ")); colon > 0 {
		typ := header[:colon]
		if typ[len(typ)-1] == '!' {
			return levelMajor
		}
		if i := bytes.IndexByte(typ, '('); i >= 0 {
			typ = typ[:i]
		}
		if string(typ) == "feat" {
			level = levelMinor
		}
	}
	for rest := msg; len(rest) > 0; {
		if bytes.HasPrefix(rest, []byte("BREAKING CHANGE:")) || bytes.HasPrefix(rest, []byte("BREAKING-CHANGE:")) {
			return levelMajor
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	return level
}

// bump returns v moved up by level. The zero version becomes 1.0.0 whatever
// the level, as the first release of the project.
func bump(v [3]int, level int) [3]int {
	switch {
	case v == [3]int{}:
		return [3]int{1, 0, 0}
	case level == levelMajor:
		return [3]int{v[0] + 1, 0, 0}
	case level == levelMinor:
		return [3]int{v[0], v[1] + 1, 0}
	default:
		return [3]int{v[0], v[1], v[2] + 1}
	}
}

// appendVersion appends "vX.Y.Z".
func appendVersion(b []byte, v [3]int) []byte {
	b = append(b, 'v')
	b = strconv.AppendInt(b, int64(v[0]), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, int64(v[1]), 10)
	b = append(b, '.')
	return strconv.AppendInt(b, int64(v[2]), 10)
}

// A messageGen writes a realistic, deterministic mix of commit messages:
// Conventional Commits of several types, with and without scopes, bodies,
// "Refs:" and "Co-authored-by:" footers and "(#123)" pull-request suffixes,
// a few messages that are not Conventional Commits, and breaking changes
// where asked for. It appends to a caller's buffer, so it allocates nothing
// per message.
type messageGen struct {
	rng    *rand.Rand
	pr     int // last pull-request number used
	ticket int // last ticket number used

	featPct     int   // percent of commits that are "feat"
	breakAt     int   // the first commit at or after this index is breaking; -1 for none
	breakPerMil int   // otherwise, per-mille chance that a commit is breaking
	bag         []int // release levels still to hand out, see window

	scopes, fixVerbs, featVerbs, otherVerbs, objects, sentences, plain, people []string
	others                                                                     []weighted
}

// A weighted is a commit type and its weight among the non-feat types.
type weighted struct {
	typ    string // "" for a message that is not a Conventional Commit
	weight int
}

// newMessageGen returns a generator drawing from rng.
func newMessageGen(rng *rand.Rand) *messageGen {
	return &messageGen{
		rng:     rng,
		pr:      100,
		ticket:  1000,
		breakAt: -1,
		scopes:  []string{"api", "cli", "core", "auth", "db", "deps", "config", "web", "docs", "build"},
		fixVerbs: []string{"handle", "avoid a panic on", "correct", "guard against", "prevent a race in",
			"stop leaking", "retry", "escape", "trim whitespace in", "reject"},
		featVerbs: []string{"add", "support", "expose", "introduce", "allow", "stream", "cache",
			"paginate", "validate", "export"},
		otherVerbs: []string{"update", "simplify", "clean up", "document", "bump", "rename", "move",
			"tidy", "split", "reword"},
		objects: []string{"empty tag lists", "the release notes template", "pagination in the list endpoint",
			"retry backoff for uploads", "token refresh", "the config loader", "CRLF in commit messages",
			"the changelog header", "annotated tags", "the version flag", "timeouts on slow remotes",
			"the signing key cache", "prerelease identifiers", "large repositories", "the JSON output",
			"path filters", "the commit range parser", "shallow clones", "the audit log", "merge commits",
			"golden files", "the error messages", "the deploy hook", "SBOM generation"},
		sentences: []string{
			"The previous behaviour surprised users on large repositories.",
			"This keeps the output stable across runs.",
			"Callers that relied on the old order must sort the result themselves.",
			"No change to the public API.",
			"Measured with the benchmark suite; allocations drop by half.",
			"See the design notes for the reasoning.",
			"The old code path is kept behind a flag for one release.",
			"Tests cover the empty and the single-element case.",
			"This was reported by two users in the issue tracker.",
			"Errors now name the ref that failed.",
			"The fallback only applies when the remote is unreachable.",
			"Documentation is updated accordingly.",
		},
		plain: []string{"Update README.md", "WIP", "Fix typo", "address review comments",
			"Merge remote-tracking branch 'origin/main'", "Bump version", "small cleanups",
			"Apply suggestions from code review"},
		people: []string{"Pat Doe <pat@example.com>", "Sam Roe <sam@example.com>", "Kim Lee <kim@example.com>"},
		others: []weighted{{"fix", 40}, {"chore", 12}, {"docs", 10}, {"refactor", 10}, {"test", 7},
			{"ci", 6}, {"perf", 5}, {"build", 5}, {"style", 2}, {"", 3}},
	}
}

// window starts a release window of length commits beginning at commit
// index start, and picks the level the window's release is meant to have.
// Levels come from a shuffled bag of 20 (12 patch, 7 minor, 1 major), so any
// 20 releases in a row are mostly patches, with some minor ones and about
// one major. A minor window has 30% feat commits; a major one also has one
// breaking change at a random place.
func (g *messageGen) window(start, length int) {
	if len(g.bag) == 0 {
		for range 12 {
			g.bag = append(g.bag, levelPatch)
		}
		for range 7 {
			g.bag = append(g.bag, levelMinor)
		}
		g.bag = append(g.bag, levelMajor)
		g.rng.Shuffle(len(g.bag), func(i, j int) { g.bag[i], g.bag[j] = g.bag[j], g.bag[i] })
	}
	level := g.bag[len(g.bag)-1]
	g.bag = g.bag[:len(g.bag)-1]
	g.featPct, g.breakAt = 0, -1
	if level >= levelMinor {
		g.featPct = 30
	}
	if level == levelMajor {
		g.breakAt = start + g.rng.IntN(max(length, 1))
	}
}

// pick returns a random element of s.
func (g *messageGen) pick(s []string) string { return s[g.rng.IntN(len(s))] }

// commit appends the message of ordinary commit i to b. scope, when not "",
// is the scope to use when the message has one.
func (g *messageGen) commit(b []byte, i int, scope string) []byte {
	if i == 0 {
		return append(b, "Initial commit\n"...)
	}
	breaking := false
	if g.breakAt >= 0 && i >= g.breakAt {
		breaking, g.breakAt = true, -1
	} else if g.breakPerMil > 0 && g.rng.IntN(1000) < g.breakPerMil {
		breaking = true
	}
	typ := "feat"
	if !breaking && g.rng.IntN(100) >= g.featPct {
		n := g.rng.IntN(100)
		for _, w := range g.others {
			if n < w.weight {
				typ = w.typ
				break
			}
			n -= w.weight
		}
		if typ == "" {
			return append(append(b, g.pick(g.plain)...), '\n')
		}
	}
	// Header: type(scope)!: verb object (#pr)
	b = append(b, typ...)
	if g.rng.IntN(100) < 55 {
		if scope == "" {
			scope = g.pick(g.scopes)
		}
		b = append(b, '(')
		b = append(b, scope...)
		b = append(b, ')')
	}
	bang := breaking && g.rng.IntN(2) == 0
	if bang {
		b = append(b, '!')
	}
	b = append(b, ": "...)
	switch typ {
	case "fix":
		b = append(b, g.pick(g.fixVerbs)...)
	case "feat":
		b = append(b, g.pick(g.featVerbs)...)
	default:
		b = append(b, g.pick(g.otherVerbs)...)
	}
	b = append(b, ' ')
	b = append(b, g.pick(g.objects)...)
	if g.rng.IntN(100) < 40 {
		g.pr += 1 + g.rng.IntN(3)
		b = append(b, " (#"...)
		b = strconv.AppendInt(b, int64(g.pr), 10)
		b = append(b, ')')
	}
	b = append(b, '\n')
	// Body: 2 to 5 lines.
	if g.rng.IntN(100) < 35 {
		b = append(b, '\n')
		for n := 2 + g.rng.IntN(4); n > 0; n-- {
			b = append(b, g.pick(g.sentences)...)
			b = append(b, '\n')
		}
	}
	// Footers.
	refs := typ == "fix" && g.rng.IntN(100) < 60
	coauthor := g.rng.IntN(100) < 8
	footer := breaking && (!bang || g.rng.IntN(2) == 0)
	if refs || coauthor || footer {
		b = append(b, '\n')
	}
	if footer {
		b = append(b, "BREAKING CHANGE: "...)
		b = append(b, g.pick(g.sentences)...)
		b = append(b, '\n')
	}
	if refs {
		g.ticket += 1 + g.rng.IntN(5)
		b = append(b, "Refs: PROJ-"...)
		b = strconv.AppendInt(b, int64(g.ticket), 10)
		b = append(b, '\n')
	}
	if coauthor {
		b = append(b, "Co-authored-by: "...)
		b = append(b, g.pick(g.people)...)
		b = append(b, '\n')
	}
	return b
}

// merge appends the message of a merge commit bringing in branch: GitHub's
// "Merge pull request #N from acme/branch" with a title, or git's
// "Merge branch 'branch'".
func (g *messageGen) merge(b []byte, branch string) []byte {
	if g.rng.IntN(100) < 70 {
		g.pr += 1 + g.rng.IntN(3)
		b = append(b, "Merge pull request #"...)
		b = strconv.AppendInt(b, int64(g.pr), 10)
		b = append(b, " from acme/"...)
		b = append(b, branch...)
		b = append(b, "\n\n"...)
		b = append(b, g.pick(g.otherVerbs)...)
		b = append(b, ' ')
		b = append(b, g.pick(g.objects)...)
		return append(b, '\n')
	}
	b = append(b, "Merge branch '"...)
	b = append(b, branch...)
	return append(b, "'\n"...)
}
