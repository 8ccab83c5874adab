// Package changelog turns a repository's Conventional Commits into release
// notes and a CHANGELOG.md that auditors and users can trust. It serves the
// release documentation rules of the release-management policy: changelog
// generation from Conventional Commits with PR and ticket references,
// backports linked to their original commit and breaking changes highlighted
// with their migrations (§1.20.3.3), release notes from a standard template
// (§1.20.3.2, the per-version template of §2.6.3.1), and release
// documentation that stays intact (§1.20.3.1).
//
// # Notes
//
// [Build] groups the commits of one [Release] into [Notes]: sections by
// commit type ([DefaultSections]: Features, Bug Fixes, Performance
// Improvements and Reverts shown; docs, chore, ci, build, test, style and
// refactor hidden unless breaking; [WithSections] changes them), breaking
// changes first with the migration text of their BREAKING CHANGE footers
// (or body), scopes, PR and ticket numbers, and backports marked with the
// commit they were cherry-picked from. A revert and the commit it reverts
// cancel out when both are in the release; a change cherry-picked twice is
// shown once; the extra changes of one commit are entries of their own.
// Links come from URL templates ([Links]): [RemoteLinks] derives those of
// GitHub, GitLab, Gitea and Bitbucket from a remote URL, and [JiraTicket]
// gives a Jira ticket link.
//
//	rel := changelog.Release{Version: "v1.2.0", Previous: "v1.1.0", Date: date, Commits: cs}
//	links, _ := changelog.RemoteLinks("git@github.com:acme/app.git", "")
//	notes := changelog.Build(rel, changelog.WithLinks(links))
//	err := changelog.Write(os.Stdout, notes, changelog.Markdown)
//
// # Rendering
//
// [Write] renders notes as Markdown in the conventional-changelog style
// ([Markdown]), in the Keep a Changelog style ([KeepAChangelog]) or as JSON
// ([JSON]); [WriteTemplate] runs a user text/template (see [ParseTemplate]
// for its functions and data); [WriteReleaseNotes] (Markdown) and
// [WriteReleaseNotesJSON] fill the release notes of §1.20.3.2 and the
// §2.6.3.1 template, every section of [ReleaseNotesSections] (summary,
// highlights, customer-impacting changes, fixes, operational notes, known
// issues, risks, artifacts and digests, SBOM and provenance, checks,
// approvals and promotions, rollback plan), from [Metadata] the caller
// provides: data nobody recorded is printed as such, never guessed.
//
// # Escaping
//
// Text that comes from commits (descriptions, scopes, migration notes,
// tickets) is data, never markup: [Escape] turns line breaks into spaces and
// escapes Markdown and HTML, so a commit message cannot inject HTML or
// scripts, form a link such as "](javascript:…)", open an HTML comment or
// forge a "## [9.9.9]" heading. Notes are never parsed as templates, so
// "{{…}}" in a message is printed, not executed.
//
// # History
//
// [History] yields one [Release] per release tag in the history of a commit,
// newest first, with an optional Unreleased release on top, for a whole
// repository or a monorepo component ([WithPaths] with the component's
// [semver.ComponentScheme]). Releases are read one at a time, so memory does
// not grow with the history.
//
// # Updating CHANGELOG.md
//
// [Insert] and [Update] add a release's section to an existing CHANGELOG.md
// held in memory or read from an io.Reader: on top, under the title and
// introduction, in place of an "Unreleased" section, with every other byte
// kept (byte order mark, CRLF line endings, a missing final newline). A
// version already in the file is [ErrAlreadyDocumented] unless [WithReplace]
// or [WithSkipDocumented] is given, so a section is never duplicated.
// [UpdateFile] does the same to a file and replaces it atomically
// (temporary file in the same directory, fsync, rename, fsync of the
// directory): a crash or a full disk leaves the old file intact. It refuses
// symbolic links and paths that leave the given root ([ErrUnsafePath]) and
// detects a concurrent writer ([ErrConcurrentModification]).
//
// # Concurrency
//
// All functions are safe for concurrent use. Notes and Releases are plain
// values; the slices of the Notes that Build returns are new, their strings
// share memory with the commits given.
package changelog
