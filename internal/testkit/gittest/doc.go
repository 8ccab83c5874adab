// Package gittest builds real git repositories on disk for the tests and
// benchmarks of releasekit. It is test-only: no user-facing package imports
// it.
//
// It serves STYLE.md rules 22 and 23 (never mock git; repositories are real,
// on disk, in t.TempDir(), with fixed authors and times; no sleeps, no
// t.Chdir, no network) and DESIGN.md's requirement that speed be measured by
// benchmarks and by whole-command comparisons on the same repository.
//
// # Small repositories
//
// [New] runs `git init -b main` in a temporary directory and returns a
// [Repo]. Its methods run the real git binary with an isolated environment
// ([Repo.Env]: private HOME and GNUPGHOME, no system or global config,
// LC_ALL=C, no prompts, fixed author "Test Author <author@example.com>" and
// committer "Test Committer <committer@example.com>"), and a clock
// ([Repo.Clock]) that starts at 2026-01-05T09:00:00Z and advances one minute
// per commit, so the same steps give the same hashes on every run. A failing
// git command fails the test with its standard error.
//
//	r := gittest.New(t)
//	base := r.Commit("feat: first\n")
//	r.Tag("v1.0.0", base)
//	r.Branch("fix", base)
//	r.Checkout("fix")
//	r.Commit("fix(api): handle empty lists\n\nRefs: PROJ-1\n")
//	r.Checkout("main")
//	r.Merge("fix", "Merge branch 'fix'\n")
//	got := r.RevList("v1.0.0..HEAD") // compare with the code under test
//
// [Open] wraps an existing repository the same way. [Repo.GoGit] opens the
// repository with go-git for the code under test.
//
// # Large histories
//
// [Generate] writes a synthetic history described by a [Spec] (commit count,
// release tags every N commits, side-branch merges, directories, commits
// since the last release, messages) with a single `git fast-import` fed by a
// stream: 100,000 commits take about 10 seconds and a million one to three
// minutes on two cores.
// [Synthetic] does the same in t.TempDir(). The command genrepo, in the
// folder of that name, calls Generate for whole-command benchmarks:
//
//	go run ./internal/testkit/gittest/genrepo -commits 100000 -tag-every 50 -unreleased 20 /tmp/r100k
//
// # Hard graphs
//
// [MergeHeavy] builds a deterministic history with criss-cross merges, an
// octopus merge, a release branch, lightweight and annotated tags, a real
// `git cherry-pick -x` and a real `git revert`, for tests that compare a
// history walker with `git rev-list`.
//
// # Concurrency
//
// A [Repo] is not safe for concurrent use. Different Repos, and calls to
// [Generate] on different directories, may run in parallel.
package gittest
