// Package commits reads a repository's history and understands its commit
// messages: Conventional Commits 1.0 with the metadata an audit needs, the
// commits of a range with `git rev-list` semantics, and the next release
// version of a repository.
//
// It serves the release-management policy's commit rules (§1.11.3.1: a
// Conventional Commit with a traceable ticket on every change; §1.11.3.4:
// backports by cherry-pick with provenance) and its versioning rules
// (§1.12.3.2; §1.15.3.2 for release branches).
//
// # Messages
//
// [Parse] reads one message into a [Message]: type, scope, breaking flag,
// description, body and footers in message order, plus ticket IDs, PR
// numbers, Refs/Closes, Risk and Owners trailers, co-authors, cherry-pick
// provenance, reverts, merges and Release-As. Messages that are not
// Conventional Commits are returned flagged (Message.Conventional false,
// Message.Err set), never dropped. [Lint] checks a message against [Rules]
// and returns every violation, for commit-msg hooks and policy checks.
//
// # History
//
// [Log] streams the commits of a [Range] newest first, in exactly the order
// and selection of `git rev-list TO --not FROM...` ([WithFirstParent] and
// [WithPaths] mirror `--first-parent` and `-- PATH`), each with its parsed
// message. It reads packfiles directly and parses on every core, so reading
// and parsing a whole history costs about what `git log` does.
//
// # Releases
//
// [Previous] finds the highest release tags of a [semver.Scheme] reachable
// from a commit; [Next] adds the commits since the last final release, their
// bump level, and the version that follows:
//
//	head, _ := commits.Resolve(repo, "HEAD")
//	plan, err := commits.Next(ctx, repo, head, semver.Scheme{Prefix: "v"})
//	// plan.Previous.Latest.Tag == "v1.2.0", plan.Tag == "v1.3.0", plan.Level == semver.Minor
//
// The cost follows the commits since the last release and the number of
// tags, not the length of the history.
//
// # Errors
//
// Parse errors are *[ParseError] values that wrap [ErrNotConventional] and
// give the problem as a Reason such as "empty scope"; [ErrEmpty],
// [ErrInvalidUTF8], [ErrControlChar] and [ErrTooLong] mark input that is not
// a message at all. A shallow clone or a missing
// object yields [ErrIncompleteHistory], never "no changes"; an unknown
// revision yields [ErrRevision].
//
// # Concurrency
//
// All functions are safe for concurrent use. A [Log] sequence must be
// consumed by one goroutine; it runs its own workers and stops them when the
// loop ends.
package commits
