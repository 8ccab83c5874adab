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
// # Calls
//
// Every call takes a context and is bound to it. Lists are read page by
// page (Gitea's page and limit parameters and Link headers). A 429 (or a
// 503 with Retry-After) from Gitea or a proxy before it is retried after
// the time asked, within the context's deadline. A refused call is a
// *[forge.APIError] wrapping [forge.ErrorFor] of its status.
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
// 127.0.0.1 (internal/testkit/giteatest). TestReleasePRPassesRequireSignedCommits
// shows on such a server, which signs its merges with a GnuPG key, that a
// release PR whose commit releasepr.Commit signed (OpenPGP or SSH, the key
// verified on the bot's account) merges into a branch protected by
// "require signed commits", and that unsigned commits, commits by a key
// on no account and direct pushes are refused.
package gitea
