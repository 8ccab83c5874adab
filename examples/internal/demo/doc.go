// Package demo builds the go-git repositories, people, times and keys that
// the release workflows under examples/ play on. It exists so that the
// examples share one copy of this scaffolding; it is not part of the
// releasekit API, and an example copied out of this repository needs this
// package too.
//
// # People and times
//
// Every commit, tag and promotion in the examples is made by one of four
// fixed people — Ada Developer, Ben Reviewer, Release Bot and Cleo Approver
// ([Email], [Identity]) — at a time handed out by a [Clock], which starts
// at [Epoch] and moves one minute a step. Commit SHAs and printed output
// are therefore the same on every run (STYLE.md §23).
//
// # Repositories
//
// [Init] creates a repository with a main branch on disk; [Commit] writes
// files and commits them; [Checkout] switches or creates a branch; [Head]
// reads a branch's tip. [SquashMerge] does what a forge's "Squash and
// merge" does (the normal change, §1.24), [CherryPick] what `git
// cherry-pick [-x]` does (release branches and backports, §1.25 and
// §1.27), and [Revert] what `git revert` does (§1.28). None of them needs
// the git binary.
//
// # Keys
//
// [SSHKey] loads an OpenSSH private key or makes a new Ed25519 key, and
// [AllowedSigners] writes the allowed_signers line that trusts it.
// [SetupSigning] does both for an example's workspace and returns the
// [Keys]: the tag signer, the parsed allowed_signers and a [Keys.Verifier].
//
// # Release configuration
//
// [WriteConfig] writes the release configuration (.releasekit.yaml) of an
// example's [Team] beside its allowed_signers and reads it back with
// config.ReadFile: the promotion order, and who may approve, deploy to and
// roll back production. The examples promote with its order and as its
// authorizer, since production promotions fail closed without one;
// [DescribeConfig] sums it up for a step.
//
// # CI identities
//
// [CI] is a demonstration CI system: an OpenID Connect issuer
// ([CIIssuer], https://ci.example.com) that gives each job ([CIJob]) an ID
// token saying which repository, ref, commit, run and environment it is,
// signed with a fixed Ed25519 key (so tokens are the same on every run).
// A [Team] with a CI writes a configuration that trusts it, with its keys
// pinned in ci-jwks.json ([JWKSFile]), for one repository's jobs;
// production then requires an identity verified from such a token
// (config.Config.VerifyToken, manifest.WithVerifiedIdentity). A real
// pipeline reads its token from the CI instead (see examples/ci).
//
// # The log
//
// [ShowLog] prints a verified log as `relctl log show` does: each entry's
// seq, time, result, action, release and environment, who acted (verified
// or typed), and its approver, targets, files changed, refusal, controls
// or error.
//
// # Workspaces
//
// [Workspace] returns the directory an example works in: the one -dir
// keeps, or a temporary one removed when the example ends.
//
// # Releases and policy
//
// [BuildAndRecord] writes a release's artifact, SBOM and signed provenance
// and returns its release record. [PullRequest], [WeeklyWindow] and
// [Refusal] give the release policy its facts and print why it refused;
// [FastForward] merges an up-to-date PR; [Quote] prints a PR body or a
// comment under a step.
//
// # Example
//
// A feature branch squash-merged into main:
//
//	var clk demo.Clock
//	repo, err := demo.Init(dir)
//	...
//	_, err = demo.Commit(repo, map[string]string{"a.go": "package a\n"}, "feat: a (#1)", "Ada Developer", clk.Next())
//	err = demo.Checkout(repo, "feature/b", true)
//	_, err = demo.Commit(repo, map[string]string{"b.go": "package a\n"}, "wip: b", "Ada Developer", clk.Next())
//	merged, err := demo.SquashMerge(repo, "main", "feature/b", "feat: b (#2)", "Ben Reviewer", clk.Next())
//
// # Concurrency
//
// The functions do not lock: use one repository from one goroutine at a
// time. A [Clock] is not safe for concurrent use.
package demo
