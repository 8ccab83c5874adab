// Package gitea is the [forge.Forge] of a Gitea repository, on Gitea's
// SDK (code.gitea.io/sdk/gitea): the facts of a pull request for the
// release policy, the release pull request opened or updated, labels
// (created when missing), comments, releases with notes and assets,
// commit statuses, deployment statuses and the deployment report issue
// of seed 000 (policy §1.11.3.2, §1.12.6.1, §1.20.3, §2.5, §2.8).
//
// # Mapping
//
// Gitea has no deployments API: [Forge.SetDeploymentStatus] sets a commit
// status with the context "deploy/<environment>" on the commit the ref
// names. Gitea does not record how a pull request was merged:
// [Forge.PullRequest] infers the merge method from the merge commit (two
// parents: merge; the last commit's message kept: rebase; else squash).
// Required checks are the base branch's status_check_contexts (glob
// patterns), read from GET /repos/{owner}/{repo}/branches/{base}, which
// any reader of the code may call.
//
// A review may approve (Review.CanApprove) when Gitea marks it official:
// it counts towards the base branch's required approvals — its reviewer
// is on the protection's approvals allowlist or, without one, has write
// access (IsOfficialReviewer, models/issues/review.go in Gitea 1.27.3).
// An approval by anyone else, such as an account without write access
// on a public repository, counts for nothing. HeadRepository and
// BaseRepository are head.repo.full_name and base.repo.full_name: a pull
// request from a fork names the fork.
//
// # Releases and the report issue
//
// [Forge.CreateRelease] reads the tag first: Gitea would make a missing
// tag from the default branch, so a missing tag is an *forge.APIError
// wrapping forge.ErrNotFound and nothing is created. Gitea records a
// pushed tag in a queue, as a tag-only release row; a release created
// while that runs can meet the row half-way (a 500, or a 409 with no
// release to read), so the idempotent read-or-create is tried again, up
// to three times within the context.
// [Forge.UpsertIssue] updates only an open issue with the title that the
// token's user opened (GET /user, read once); someone else's issue with
// that title is left alone and the bot opens its own. A token that may
// not read its user fails with [ErrUnknownUser] before anything is
// written.
//
// # Calls
//
// Every call takes a context and is bound to it. Lists are read page by
// page (Gitea's page and limit parameters and Link headers). A 429 (or a
// 503 with Retry-After) from Gitea or a proxy before it is retried after
// the time asked when that ends within [WithMaxRateLimitWait]
// ([DefaultMaxRateLimitWait], ten minutes) and before the context's
// deadline; otherwise it is returned at once. A refused call is a
// *[forge.APIError] wrapping [forge.ErrorFor] of its status. The HTTP
// client follows redirects only to the same scheme, host and port
// ([forge.SameHostRedirects]): Go sends the Authorization header to
// another port of the same host, so any other redirect is refused
// before it is followed, with an error wrapping forge.ErrRedirect.
//
// # Example
//
//	token, _, err := forge.Token("gitea") // RELEASEKIT_GITEA_TOKEN or GITEA_TOKEN
//	if err != nil { ... }
//	f, err := gitea.New("https://gitea.example.com", "shop", "magento", token)
//	pr, err := f.PullRequest(ctx, 261)
//	report := policy.Evaluate(ctx, pol, policy.Facts{PullRequest: pr.Facts(), Branches: []string{pr.Head}})
//
// The end-to-end test plays seed 000 against a real Gitea started on
// 127.0.0.1 (internal/testkit/giteatest), with an account without write
// access that approves, opens the report issue first and sends a pull
// request from its fork's main, and a token that may not read its user. TestReleasePRPassesRequireSignedCommits
// shows on such a server, which signs its merges with a GnuPG key, that a
// release PR whose commit releasepr.Commit signed (OpenPGP or SSH, the key
// verified on the bot's account) merges into a branch protected by
// "require signed commits", and that unsigned commits, commits by a key
// on no account and direct pushes are refused.
package gitea
