// Package demohistory builds a demonstration release history on a real git
// repository, with go-git only (no git binary): signed tags, tar.gz
// artifacts with their SBOMs and signed provenance, complete release
// records, gated promotions dev → staging → prod inside a change window, a
// backport on a release branch, a production rollback, a hotfix promoted as
// an emergency change and forward-ported to main, refused attempts and the
// outcome of every production deployment with the files it changed, and a
// signed checkpoint of the promotion log. It is the history examples/audit plays on, and the one
// internal/testkit/audittest gives the tests of the audit package and its
// users. It is not part of the releasekit API: no product package imports
// it (internal/deps_test.go).
//
// # The history
//
// Every time is fixed (see the History's fields) and every key is derived
// from a seed ([WithSeed]), so two histories built with the same options have
// the same commits, tags, artifacts, SBOMs, provenance envelopes, records and
// log entries, byte for byte.
//
//	main          C1 ── C2 ── C3 ── C4 ─────── C5 ── C6 ── FP
//	              v1.0.0      v1.1.0 v1.2.0 │               v1.3.0
//	release/1.2                             └─ BP (cherry-pick -x C5)  v1.2.1
//	hotfix/1.2.2-INC123                            └─ HF               v1.2.2
//
// C1 to C6 are Conventional Commits with a ticket (Refs: SHOP-n) and a pull
// request number ("(#n)"); BP is C5 cherry-picked as `git cherry-pick -x`
// does on release/1.2; HF is the fix of incident INC123 on a hotfix branch
// cut from v1.2.1, the production tag at the time; FP is HF cherry-picked
// the same way on main. Commits are authored by Alice Author and committed by
// Merge Bot at fixed times; a cherry-pick keeps its original's author and
// date. Each commit changes files under app/, and each release's artifact is
// a tar.gz of app/ at its commit (files shop/…), so that artifacts differ by
// files added, removed and changed.
//
// Production sees v1.0.0, v1.1.0, v1.2.0 (rolled back to v1.1.0 the same
// day), v1.2.1, v1.2.2 (an emergency change on a Saturday night, outside the
// window, with a complete emergency-change record) and v1.3.0, which runs at
// the end. Every promotion goes through a policy.Gate with ChangeWindow,
// SeparationOfDuties, RecordComplete and SameDigest.
//
// Two attempts are refused and logged as manifest.KindDenied entries: v1.2.2
// first promoted to prod without its emergency-change record (refused by
// REL-WINDOW-001), and v1.3.0 promoted to prod by the pull requests' author,
// typing her own name, whom the history's authorizer does not allow to
// deploy. The release bot's promotions, rollback and deployment reports
// carry the identity a CI system's OIDC token gives it ([CIIssuer],
// verified); the author's is typed. After every production promotion and the
// rollback, the deployment's outcome is logged (manifest.KindDeployment):
// started on [ProdTargets], naming the manifest of the artifact files that
// changed since what production ran (stored as evidence), then succeeded;
// v1.2.1's first deployment fails on shop-2 and is run again. Until
// manifest.Promote logs refusals itself, the history logs them.
//
// # Directories
//
// [Build] takes a function that returns a new empty directory each time it
// is called (t.TempDir in a test) and puts the repository, the evidence and
// the store in the first, second and third: dir1/repo, dir2/evidence,
// dir3/store. [WithRepository] builds in an existing empty repository
// instead of creating dir1/repo.
//
// # Example
//
//	h, err := demohistory.Build(ctx, demohistory.NumberedDirs(dir))
//	...
//	r, _ := h.Release("v1.2.2")          // the emergency hotfix
//	rep, err := audit.Trail(ctx, h.Sources, audit.Query{Release: r.Tag})
//
// # Concurrency
//
// A History is built by one goroutine; afterwards its fields may be read
// concurrently. The GitStore (WithGitStore) has its own repository handle.
package demohistory
