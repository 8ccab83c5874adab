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
// # Changes
//
// By default a message yields what the Conventional Commits 1.0
// specification reads, and nothing else: the change of its header (type and
// scope), breaking when the header has a "!" or a footer is BREAKING CHANGE
// or BREAKING-CHANGE ([Message.Change], [Message.Changes]).
//
//   - The footer block is the final paragraph when it starts with a footer
//     token, or starts earlier at the first paragraph that begins with a
//     BREAKING CHANGE token: a footer's value runs until the next footer
//     token, blank lines included, so a migration note followed by a list,
//     an indented code block or a fenced code block is breaking and its note
//     ([Message.BreakingNotes]) keeps those paragraphs. Lines inside a fenced
//     block (``` or ~~~) are never tokens.
//   - The body never adds a change. A squash commit's list of the pull
//     request's intermediate commits ("* feat!: remove x", "* chore: fix
//     lint" as GitHub, GitLab's %{all_commits} and Bitbucket write them, or
//     the indented log of git merge --squash) is work in progress, not a
//     change of the release.
//   - Several changes in one commit come only from the two documented
//     conventions, each off by default so that the specification is the
//     default: [WithOverride] reads a BEGIN_COMMIT_OVERRIDE …
//     END_COMMIT_OVERRIDE block (its first change replaces the header's),
//     and [WithAdditionalHeaders] reads release-please's additional
//     Conventional Commit headers at the end of the body. Their changes are
//     in [Message.Extra]; [Message.Origin] and [Message.BreakingFrom] say
//     where each change and its breaking flag were read. Pass them to [Log]
//     and [Next] with [WithParseOptions].
//   - A revert (a "This reverts commit <sha>." line, whatever the subject,
//     or a `Revert "…"` subject, truncated or not) is in [Message.Revert].
//     [Next] cancels a revert and its target when both are in the range (a
//     revert of a revert brings the original back) and counts the revert of
//     a change already released as a patch ([WithRevertLevel]).
//
// For example, this squash commit yields one change, feat(cli), breaking,
// with the whole list as its migration note; its bullets yield nothing:
//
//	feat(cli): rename flags (#88)
//
//	* feat!: wip, drop the config file
//
//	* chore: fix lint
//
//	BREAKING CHANGE: two flags are renamed:
//
//	- --out is now --output
//	- --dry is now --dry-run
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
