// Package gitlab is the [forge.Forge] of a GitLab project (gitlab.com or
// self-managed), through GitLab's client-go
// (gitlab.com/gitlab-org/api/client-go/v2). Its pull requests are merge
// requests, numbered by their IID (policy §1.11.3.2, §1.12.6.1).
//
//	token, _, err := forge.Token("gitlab") // never from a command line
//	c, err := gitlab.New(nil, "https://gitlab.example.com", "group/shop", token)
//	pr, err := c.PullRequest(ctx, 42)
//
// # Merge-request facts
//
// [Client.PullRequest] reads the merge request, its approvals
// (GET merge_requests/:iid/approvals, approved_by), its reviewers' states,
// every page of its commits and diffs (a rename counts both paths) and
// the commit statuses of its head. GitLab's approvals carry no commit, so
// an approval is taken as an APPROVED review of the merge request's head
// only when that is proven: the project resets approvals on push
// (GET projects/:id/approvals, reset_approvals_on_push: "Remove all
// approvals when commits are added to the source branch"), or the
// approval was given after the head was pushed (the newest diff version,
// GET merge_requests/:iid/versions, whose head_commit_sha is the head).
// Any other approval (settings unreadable, approvals kept on push, no
// such version) is an APPROVED review of no commit, which no policy
// counts for the head: fail closed. A reviewer whose state is requested_changes gives a
// CHANGES_REQUESTED review. The merge method is the squash flag
// ("squash"), a merge commit ("merge") or neither, a fast-forward
// ("rebase"). GitLab has no list of required checks in its free API:
// every check's Required is false.
//
// # Writes
//
// GitLab numbers issues and merge requests apart: [Client.SetLabels] and
// [Client.Comment] act on merge requests, [Client.UpsertIssue] on issues.
// GitLab creates the labels it lacks. [Client.CreateRelease] gets the
// release of the tag first (404: creates it); an asset is uploaded to the
// project and linked to the release. [Client.SetDeploymentStatus]
// resolves the ref to its commit, asks whether it is a tag, and creates
// the deployment with its status.
//
// # Errors and rate limits
//
// client-go's own retries are off. A 429 waits (Retry-After, else
// RateLimit-Reset, else a minute) when the wait ends within
// [WithMaxRateLimitWait] and before the context's deadline, up to three
// times; otherwise it fails with forge.ErrRateLimited. Every refusal is a
// *[forge.APIError] wrapping [forge.ErrorFor] of its status.
//
// # What the tests rest on
//
// GitLab's official OpenAPI description lives in gitlab-org/gitlab's
// repository only (doc/api/openapi/openapi_v2.yaml), which no registry
// this project reaches serves, so requests are not validated against it.
// The responses are those GitLab's client-go v2 ships with its own tests,
// from the module go.mod requires (scripts/fetch-forge-fixtures copies its
// testdata and test sources): its testdata/*.json, and the JSON its test
// handlers write, found by the method and path each was registered for.
// They are GitLab's documented example responses, not recorded traffic.
//
//	call                                   response
//	GET  merge_requests/:iid               testdata/get_merge_request.json
//	GET  merge_requests/:iid/approvals     testdata/get_merge_request_approvals.json
//	GET  projects/:id/approvals            projects_test.go (reset_approvals_on_push false)
//	GET  merge_requests/:iid/versions      none of its own: commits_test.go ([{"id":1}], no version of the head)
//	GET  merge_requests/:iid/reviewers     merge_requests_test.go
//	GET  merge_requests/:iid/commits       testdata/list_merge_request_context_commits.json (no test of its own)
//	GET  merge_requests/:iid/diffs         testdata/list_merge_request_diff.json
//	GET  repository/commits/:sha/statuses  commits_test.go ([{"id":1}])
//	POST merge_requests/:iid/notes         notes_test.go
//	POST statuses/:sha                     commits_test.go
//	GET, POST issues                       issues_test.go
//	GET  releases/:tag                     releases_test.go
//	merge method, approvals at the head, status outcomes, 429 waits,
//	404/401/409/422                        unit tests
//
// Not covered by a shipped response yet: creating and updating a merge
// request (OpenPullRequest, SetLabels), release links and uploads,
// deployments.
//
// A Client is safe for concurrent use.
package gitlab
