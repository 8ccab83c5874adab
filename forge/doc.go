// Package forge is the small interface releasekit needs from a
// code-hosting service — read a pull request's facts, open or update the
// release pull request, label and comment, publish a release, set commit
// and deployment statuses, open or update the deployment report issue —
// with its implementations for GitHub (forge/github, go-github), GitLab
// (forge/gitlab, GitLab's client-go) and Gitea (forge/gitea, Gitea's SDK).
//
// The facts that gate production come from the forge's API, not from a
// person or a shell script: [PullRequest.Facts] gives the release policy
// the author, the reviews at the head commit (an approval counts only from
// a reviewer the forge reports may approve: Review.CanApprove), the head
// and base branches (a head from another repository, a fork, as
// "owner/name:branch"), the labels and the checks (policy §1.11.3.2,
// §1.12.6.1, §1.21.3.1). Tokens come from the environment ([Token]),
// never from a command line or output, and the clients follow no redirect
// to another host ([SameHostRedirects]).
//
// # Implementations
//
//	package       client                                  tested against
//	forge/github  github.com/google/go-github/v75         recorded api.github.com traffic (@octokit/fixtures),
//	                                                      every request validated by GitHub's OpenAPI description
//	forge/gitlab  gitlab.com/gitlab-org/api/client-go/v2  the responses client-go's own tests ship,
//	                                                      every request checked against GitLab's REST API reference
//	forge/gitea   code.gitea.io/sdk/gitea                 a Gitea server on 127.0.0.1
package forge
