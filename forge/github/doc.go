// Package github is the [forge.Forge] of a GitHub or GitHub Enterprise
// Server repository, through go-github (github.com/google/go-github/v75).
// It gives the release policy the facts of a pull request from GitHub's
// API (policy §1.11.3.2, §1.12.6.1, §1.20.3), opens the release pull
// request, publishes releases and reports statuses (seed 000).
//
//	token, _, err := forge.Token("github") // never from a command line
//	c, err := github.New(nil, "", "octo-org", "shop", token)
//	pr, err := c.PullRequest(ctx, 42)
//	facts := pr.Facts() // for policy.Evaluate
//
// # Pull-request facts
//
// [Client.PullRequest] reads the pull request, with the full names of its
// head and base repositories (head.repo and base.repo: they differ for a
// pull request from a fork, and the head repository of a deleted fork is
// null and stays empty, so that forge.PullRequest.Facts reports the head
// as "unknown-repository:branch" and a fork's "main" is never the
// repository's), then every page of its reviews (each with the commit it
// reviewed), commits (GitHub lists 250 at most) and changed files (3000 at
// most; a rename counts both paths), and the checks of the head commit:
// its check runs (the latest of each name) and its commit statuses (the
// latest of each context).
//
// Anyone can approve a pull request of a public repository; GitHub counts
// an approval for branch protection only from an account with write
// access. A review's CanApprove is therefore set only for a reviewer
// whose collaborator permission ("Get repository permissions for a user",
// asked once per reviewer) is write, maintain or admin; a 404 (not a
// collaborator, a deleted or bot account) or a 403 (the token may not
// read permissions) leaves it false, and any other refusal fails the
// call. forge.PullRequest.Facts and REL-REVIEW-001 count only approvals
// with CanApprove.
//
// A check is Required when it meets a requirement of the base branch: its
// classic protection (read from "Get a branch", whose protection summary
// needs only read access where the protection endpoint needs admin) or a
// repository ruleset ("Get rules for a branch"; a 404 there, a server
// without rulesets, is no rule and no error). A requirement bound to a
// GitHub App (the protection's app_id, a ruleset's integration_id; not
// null and not -1, "any source") is met only by a check run of that app:
// a commit status of the name, or another app's run, which anyone
// allowed to post statuses or any installed app can create, is listed but
// not Required. A requirement nothing meets is listed as a pending
// required check, so that the name never reads as success in the facts
// (which keep the worst outcome of a name) until the bound app reports.
//
// GitHub does not say how a pull request was merged; the merge method is
// inferred from the merge commit: two parents or more is "merge"; the head
// commit itself (a fast-forward) is "rebase"; a single parent whose
// message is the pull request's last commit's is "rebase"; any other
// single parent is "squash". A squash whose message was edited to equal
// the last commit's reads as "rebase".
//
// # Writes
//
// [Client.OpenPullRequest] finds the open pull request from the head
// (pulls list with head=owner:branch, and only one whose head repository
// is the base's: never a fork's branch of the same name) and updates it,
// or creates it. [Client.CreateRelease] first checks that the tag exists
// ("Get a reference", refs/tags/TAG): GitHub would otherwise create a
// missing tag itself, unsigned, at the head of the default branch, so a
// missing tag is a *forge.APIError wrapping forge.ErrNotFound and nothing
// is created. It then gets the release of the tag (404: creates it) and
// uploads only the assets it lacks. [Client.SetDeploymentStatus] adds the
// status to the deployment of the ref to the environment that the token's
// account created and that is still under way (queued, pending,
// in_progress: one deployment from queued to success, as on GitLab), or
// creates a deployment (auto_merge false; required_contexts left out, so
// GitHub checks the ref's statuses, unless [WithoutDeploymentChecksUnsafe])
// and its status. [Client.SetLabels] creates missing labels, then replaces the
// labels.
//
// [Client.UpsertIssue] updates only an issue the token's own account
// opened: anyone may open an issue with the report's title on a public
// repository and edit it later. It learns the account from "Get the
// authenticated user" (GET /user) or, when GitHub refuses that with 403
// (a GitHub App installation token), from the GraphQL query
// `query { viewer { login } }` (POST /graphql, or /api/graphql on GitHub
// Enterprise Server), which names the app's "<slug>[bot]" account. When
// neither names the account it fails with an *[IdentityError] and reads
// or writes no issue. It then looks for the open issue with the exact
// title by that account among the open issues with its labels, every
// page; an issue of the title by anyone else is left alone and a new one
// is opened.
//
// # Redirects
//
// go-github sets the token on every request its transport sends, a
// redirected one included. The client is built on
// [forge.SameHostRedirects] of the given HTTP client: a redirect to
// another scheme, host or port is not followed, and the call fails with a
// *forge.APIError (the redirect's method, path and status) wrapping
// forge.ErrRedirect. Redirects on the same host (a renamed repository)
// are followed.
//
// # Errors and rate limits
//
// Every refusal is a *[forge.APIError] wrapping [forge.ErrorFor] of its
// status. A rate-limited call (primary: until X-RateLimit-Reset;
// secondary: Retry-After, or a minute) waits when the wait ends within
// [WithMaxRateLimitWait] and before the context's deadline, up to three
// times; otherwise it fails with forge.ErrRateLimited.
//
// # What the tests rest on
//
// The tests replay api.github.com traffic recorded by @octokit/fixtures
// 23.1.2 on a server on 127.0.0.1 and validate every request the client
// sends against GitHub's OpenAPI description (@octokit/openapi 23.0.2,
// api.github.com.json, with kin-openapi; a path parameter the description
// marks x-multi-segment, such as git/ref/{ref}, may span segments);
// scripts/fetch-forge-fixtures fetches both (pinned, sha256-checked). A
// call no scenario recorded is answered with the description's own
// example of the operation:
//
//	call                              request validated   response
//	GET    pulls/{n}                  yes                 openapi example (pulls/get); fork and deleted fork: unit test
//	GET    pulls/{n}/reviews          yes                 openapi example
//	GET    collaborators/{u}/perm...  yes                 openapi example (admin); 404: recorded (branch-protection);
//	                                                      403, 502: refusals; read, none: unit test of the decision
//	GET    pulls/{n}/commits          yes                 openapi example
//	GET    pulls/{n}/files            yes                 openapi example
//	GET    pulls/{n} (404)            yes                 recorded 404 (branch-protection)
//	GET    branches/{base}            yes                 openapi example; protection: recorded (branch-protection), decoded in a unit test
//	GET    rules/branches/{base}      yes                 openapi example
//	GET    commits/{sha}/check-runs   yes                 openapi example; app-bound requirements: unit test
//	GET    commits/{sha}/status       yes                 recorded (create-status)
//	GET    git/commits/{sha}          -                   merge method: unit test of the inference
//	GET    pulls?head=o:b&base=       yes                 openapi example
//	POST   pulls, PATCH pulls/{n}     yes                 openapi example
//	GET    labels, POST labels        yes                 recorded (labels; 422: errors)
//	PUT    issues/{n}/labels          yes                 openapi example
//	POST   issues/{n}/comments        yes                 openapi example
//	GET    git/ref/tags/{tag}         yes                 openapi example; 404: recorded (branch-protection)
//	GET    releases/tags/{tag}        yes                 recorded (release-assets); 404: recorded (branch-protection)
//	POST   releases                   yes                 openapi example
//	POST   releases/{id}/assets       yes                 recorded (release-assets; 422: release-assets-conflict)
//	POST   statuses/{sha}             yes                 recorded (create-status)
//	GET    deployments, .../statuses  yes                 openapi example; which one is continued: unit test
//	POST   deployments, .../statuses  yes                 openapi example
//	GET    issues (5 pages)           yes                 recorded (paginate-issues)
//	POST   issues                     yes                 recorded (add-labels-to-issue)
//	PATCH  issues/{n}                 yes                 openapi example
//	GET    /user                      yes                 openapi example (octocat); the recording's own account: the
//	                                                      author recorded for the issue it opened (add-labels-to-issue);
//	                                                      403, 503: refusals
//	POST   /graphql (viewer)          query checked       written in the test in the form of GitHub's GraphQL
//	                                                      documentation (the description covers REST only)
//	redirects                         -                   a server redirecting to another host or port, and on its own
//	rate limits, 401                  -                   GitHub's documented responses, unit tests
//
// A recorded exchange answers a request of the same method, path (the
// scenario's repository mapped to the test's) and page; the other query
// parameters and the body are checked against the description only.
//
// A Client is safe for concurrent use.
package github
