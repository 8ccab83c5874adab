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
// [Client.PullRequest] reads the pull request, then every page of its
// reviews (each with the commit it reviewed), commits (GitHub lists 250 at
// most) and changed files (3000 at most; a rename counts both paths), and
// the checks of the head commit: its check runs (the latest of each name)
// and its commit statuses (the latest of each context). A check is
// Required when the base branch requires it, by its classic protection
// (read from "Get a branch", whose protection summary needs only read
// access where the protection endpoint needs admin) or by a repository
// ruleset ("Get rules for a branch"; a 404 there, a server without
// rulesets, is no rule and no error). A required check that has not
// reported is listed as pending.
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
// (pulls list with head=owner:branch) and updates it, or creates it.
// [Client.CreateRelease] gets the release of the tag first (404: creates
// it) and uploads only the assets it lacks. [Client.SetDeploymentStatus]
// creates a deployment (auto_merge false; required_contexts left out, so
// GitHub checks the ref's statuses, unless [WithoutDeploymentChecksUnsafe])
// and its status. [Client.UpsertIssue] looks for the open issue with the
// exact title among the open issues with its labels, every page.
// [Client.SetLabels] creates missing labels, then replaces the labels.
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
// api.github.com.json, with kin-openapi); scripts/fetch-forge-fixtures
// fetches both (pinned, sha256-checked). A call no scenario recorded is
// answered with the description's own example of the operation:
//
//	call                              request validated   response
//	GET    pulls/{n}                  yes                 openapi example (pulls/get)
//	GET    pulls/{n}/reviews          yes                 openapi example
//	GET    pulls/{n}/commits          yes                 openapi example
//	GET    pulls/{n}/files            yes                 openapi example
//	GET    pulls/{n} (404)            yes                 recorded 404 (branch-protection)
//	GET    branches/{base}            yes                 openapi example; protection: recorded (branch-protection), decoded in a unit test
//	GET    rules/branches/{base}      yes                 openapi example
//	GET    commits/{sha}/check-runs   yes                 openapi example
//	GET    commits/{sha}/status       yes                 recorded (create-status)
//	GET    git/commits/{sha}          -                   merge method: unit test of the inference
//	GET    pulls?head=o:b&base=       yes                 openapi example
//	POST   pulls, PATCH pulls/{n}     yes                 openapi example
//	GET    labels, POST labels        yes                 recorded (labels; 422: errors)
//	PUT    issues/{n}/labels          yes                 openapi example
//	POST   issues/{n}/comments        yes                 openapi example
//	GET    releases/tags/{tag}        yes                 recorded (release-assets); 404: recorded (branch-protection)
//	POST   releases                   yes                 openapi example
//	POST   releases/{id}/assets       yes                 recorded (release-assets; 422: release-assets-conflict)
//	POST   statuses/{sha}             yes                 recorded (create-status)
//	POST   deployments, .../statuses  yes                 openapi example
//	GET    issues (5 pages)           yes                 recorded (paginate-issues)
//	POST   issues                     yes                 recorded (add-labels-to-issue)
//	PATCH  issues/{n}                 yes                 openapi example
//	rate limits, 401                  -                   GitHub's documented responses, unit tests
//
// A recorded exchange answers a request of the same method, path (the
// scenario's repository mapped to the test's) and page; the other query
// parameters and the body are checked against the description only.
//
// A Client is safe for concurrent use.
package github
