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
// counts for the head: fail closed. An approval may count
// (Review.CanApprove) only when its user is a member of the project with
// at least the Developer role (GET projects/:id/members/all/:user_id,
// inherited and invited memberships included, once a user and call): an
// approval by a Guest, a Reporter or a user who is no member counts for
// nothing, and a membership that cannot be read fails the call. A
// reviewer whose state is requested_changes gives a
// CHANGES_REQUESTED review. The merge method is the squash flag
// ("squash"), a merge commit ("merge") or neither, a fast-forward
// ("rebase"). GitLab has no list of required checks in its free API:
// every check's Required is false. BaseRepository is the project's path
// (GET projects/:id, read once a client); HeadRepository is the same for
// a merge request within the project, the source project's path for one
// from a fork (GET projects/:source_project_id), and "" when the token
// may not read the fork, so that forge.PullRequest.Facts never takes a
// fork's branch for the project's own.
//
// # Writes
//
// [Client.FindPullRequest] and [Client.OpenPullRequest] take an open
// merge request for the one from head into base only when it is the
// project's own: GitLab lists the merge requests from forks too, and one
// whose source_project_id is not its target_project_id, or that names
// either as 0, is never found, read or rewritten (OpenPullRequest opens
// the project's own beside it).
//
// GitLab numbers issues and merge requests apart: [Client.SetLabels] and
// [Client.Comment] act on merge requests, [Client.UpsertIssue] on issues.
// GitLab creates the labels it lacks. [Client.CreateRelease] gets the
// release of the tag first (404: reads the tag, and creates the release
// only when the tag exists, never sending the ref GitLab would make a
// missing tag from); an asset is uploaded to the project and linked to
// the release. [Client.UpsertIssue] updates only an open issue with the
// title that the token's user opened (GET /user, read once a client);
// when GitLab will not say whose the token is — a CI job token may not
// read its user — it fails with [ErrUnknownUser] before anything is
// written. [Client.SetDeploymentStatus]
// resolves the ref to its commit and updates the deployment of that ref
// and commit to the environment that is still running; otherwise it asks
// whether the ref is a tag and creates the deployment with its status.
// GitLab takes running, success, failed and canceled: in_progress and
// queued are both running.
//
// # Errors and rate limits
//
// client-go's own retries are off. A 429 waits (Retry-After, else
// RateLimit-Reset, else a minute) when the wait ends within
// [WithMaxRateLimitWait] and before the context's deadline, up to three
// times; otherwise it fails with forge.ErrRateLimited. Every refusal is a
// *[forge.APIError] wrapping [forge.ErrorFor] of its status.
//
// The HTTP client given to [New] is copied with
// [forge.SameHostRedirects]: client-go sends the token in its own
// PRIVATE-TOKEN or JOB-TOKEN header, which Go forwards to any host a
// redirect names, so a redirect to another scheme, host or port is
// refused before it is followed (an error wrapping forge.ErrRedirect).
//
// # What the tests rest on
//
// The tests answer the client with the responses GitLab's client-go v2
// ships with its own tests, from the module go.mod requires
// (scripts/fetch-forge-fixtures copies its testdata and test sources):
// its testdata/*.json, and the JSON its test handlers write, found by the
// method and path each was registered for. They are GitLab's documented
// example responses, not recorded traffic. Where client-go ships none for
// an endpoint (creating or updating a merge request, a commit by branch
// name), the one it ships for the same entity answers, and the test says
// so; client-go's own error responses answer the refusals. Where a test
// needs what client-go never answers (a fork's merge request in the
// list), it edits the shipped response and says so.
//
// Every request the client sends in those tests is checked against
// GitLab's REST API reference: the endpoint is documented, no
// undocumented parameter is sent, every required one is, and each has the
// documented type and, where the reference lists them, a documented
// value (spec_test.go holds the table of endpoints, parameters, types and
// citations). The reference pages were read from gitlabhq/gitlabhq, the
// GitHub mirror of GitLab's repository: doc/api/merge_requests.md,
// issues.md, notes.md, releases/_index.md and releases/links.md at commit
// 6e370d70120dba1fb6e4a3542f44f3e7da3caff2; merge_request_approvals.md
// at 003efb27fc4d; deployments.md at 0351d9ed8363; tags.md at
// 017a6c129d6a; project_markdown_uploads.md at 0286e4c628d6;
// project_members.md at 3e2ec3b62446 (the page members.md was split
// into); commits.md at 00359ec1bcc6, projects.md at 330eac18cef6 and
// users.md at 849f9995d97c (older pages: the endpoints the client calls,
// GET projects/:id and GET /user, are unchanged since). GitLab's OpenAPI description
// (doc/api/openapi/openapi_v3.yaml in gitlab-org/gitlab) is not used: it
// lives only in that repository, several gigabytes to fetch, and no
// registry this project or its CI reaches serves it.
//
//	call                                   response
//	GET  projects/:id                      none with a path: projects_test.go (a restored project)
//	GET  members/all/:user_id              project_members_test.go (access_level 30)
//	GET  /user                             none of its own: testdata/get_user.json; gitlab_test.go ({})
//	GET  merge_requests/:iid               testdata/get_merge_request.json
//	GET  merge_requests/:iid/approvals     testdata/get_merge_request_approvals.json
//	GET  projects/:id/approvals            projects_test.go (reset_approvals_on_push false)
//	GET  merge_requests/:iid/versions      none of its own: commits_test.go ([{"id":1}], no version of the head)
//	GET  merge_requests/:iid/reviewers     merge_requests_test.go
//	GET  merge_requests/:iid/commits       testdata/list_merge_request_context_commits.json (no test of its own)
//	GET  merge_requests/:iid/diffs         testdata/list_merge_request_diff.json
//	GET  repository/commits/:sha/statuses  commits_test.go ([{"id":1}])
//	GET  merge_requests                    testdata/get_merge_requests.json (forks: ids, a branch edited)
//	POST, PUT merge_requests[/:iid]        none of its own: testdata/get_merge_request.json
//	POST merge_requests/:iid/notes         notes_test.go
//	POST statuses/:sha                     commits_test.go
//	GET, POST issues                       issues_test.go, epic_issues_test.go (issues with numbers)
//	PUT  issues/:iid                       issues_test.go
//	GET, POST releases[/:tag]              releases_test.go
//	POST uploads                           project_markdown_uploads_test.go
//	POST releases/:tag/assets/links        releaselinks_test.go
//	GET  repository/commits/:ref           testdata/get_commit.json
//	GET  repository/tags/:tag              tags_test.go
//	GET, POST deployments                  deployments_test.go
//	4xx, 5xx refusals                      search_test.go, orbit_test.go, group_hooks_test.go
//	PUT  deployments/:id, merge method, approvals at the head, status
//	outcomes, 429 waits, roles below
//	Developer, forks, one's own issue,
//	redirects                              the tests' own servers and unit tests
//
// A Client is safe for concurrent use.
package gitlab
