// Package releasepr plans release pull requests the way seed 000's
// release-please flow uses them, from git alone: for each component of the
// release configuration, the version its Conventional Commits call for
// since its last release, its changelog section, the version files and
// changelog the PR edits (every other byte kept, package versionfile;
// each version file must hold the latest release's version before, so
// the bytes replaced are known to be the version), the
// branch, title and body (with a machine-readable block, [ParseBody]) and
// what the merge does (policy §1.12.3: a signed tag per release; §1.20.3:
// release notes).
//
// The state lives in git, not in labels: a merged release PR is the
// commit on the base branch whose subject is the PR's title
// ([TitlePrefix], as a squash merge keeps it) and whose tree carries the
// release it names — every version file holds the version, the changelog
// gained its section, the version follows the latest release ([Skip]); a
// subject alone is only a claim, never released. It is released when its
// tags exist on that commit ([Find]). A run that was missed or failed
// therefore heals on the next run — [Plan] reports the merged, untagged
// release as StatePending and plans nothing new until it is released —
// and a release is never made twice: a tag that exists is done, and one
// that exists on another commit stops the run ([ErrTagElsewhere]), since
// tags never move. Labels ([LabelPending], [LabelTagged]) are only a
// mirror for people.
//
// Plan reads the repository and returns data; it opens no pull request
// and writes nothing. A forge client opens or updates the PR from the
// plan; relctl release-pr and relctl release wire the two.
package releasepr
