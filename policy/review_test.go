package policy_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/policy"
)

func TestReviewApprovals(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("chore: owners ABC-1", map[string]string{".github/CODEOWNERS": "* @platform/team\napi/ @bob\ndocs/ @dora @erin # writers\n"})
	first := g.CommitFiles("feat: handler ABC-2", map[string]string{"api/handler.go": "package api\n"})
	head := g.CommitFiles("fix: handler review ABC-2", map[string]string{"api/handler.go": "package api // v2\n"})
	fs := files(t, g)

	approve := func(user, sha string) policy.Review {
		return policy.Review{User: user, State: policy.ReviewApproved, CommitID: sha, CanApprove: true}
	}
	// outsider is an approval by someone without write access.
	outsider := func(user, sha string) policy.Review {
		return policy.Review{User: user, State: policy.ReviewApproved, CommitID: sha}
	}
	pr := func(changed []string, rs ...policy.Review) *policy.PullRequest {
		return &policy.PullRequest{Number: 7, Author: "alice", HeadSHA: head, Reviews: rs, ChangedFiles: changed}
	}
	api := []string{"api/handler.go"}
	tests := []struct {
		name     string
		c        policy.ReviewApprovals
		pr       *policy.PullRequest
		want     policy.Status
		missing  bool
		contains string
	}{
		{"two approvals at the head", policy.ReviewApprovals{}, pr(nil, approve("carol", head), approve("dave", head)), policy.Pass, false, "carol, dave"},
		{"code owner approval", policy.ReviewApprovals{}, pr(api, approve("bob", head)), policy.Pass, false, "code owners approved"},
		{"code owner and count required", policy.ReviewApprovals{RequireCodeOwners: true}, pr(api, approve("bob", head)), policy.Fail, false, "1 approval(s)"},
		{"code owner and count given", policy.ReviewApprovals{RequireCodeOwners: true}, pr(api, approve("bob", head), approve("carol", head)), policy.Pass, false, ""},
		{"code owner missing for a file", policy.ReviewApprovals{RequireCodeOwners: true}, pr([]string{"api/handler.go", "docs/x.md"}, approve("bob", head), approve("carol", head)), policy.Fail, false, "no owner of docs/x.md (@dora, @erin) approved"},
		{"team owner approves nothing", policy.ReviewApprovals{}, pr([]string{"main.go"}, approve("bob", head)), policy.Fail, false, "main.go has no owner who is a person"},
		{"approvals without write access", policy.ReviewApprovals{}, pr(nil, outsider("sock1", head), outsider("sock2", head)), policy.Fail, false, "0 approval(s)"},
		{"one of two without write access", policy.ReviewApprovals{}, pr(nil, approve("carol", head), outsider("sock1", head)), policy.Fail, false, "1 approval(s)"},
		{"a code owner without write access", policy.ReviewApprovals{}, pr(api, outsider("bob", head)), policy.Fail, false, "no owner of api/handler.go (@bob) approved"},
		{"write access lost with a later approval", policy.ReviewApprovals{}, pr(nil, approve("carol", head), approve("dave", first), outsider("dave", head)), policy.Fail, false, "1 approval(s)"},
		{"approval of an older commit", policy.ReviewApprovals{}, pr(nil, approve("carol", first), approve("dave", head)), policy.Fail, false, "1 approval(s) at the head"},
		{"approval by the author", policy.ReviewApprovals{}, pr(nil, approve("alice@example.com", head), approve("dave", head)), policy.Fail, false, "1 approval(s)"},
		{"one person twice", policy.ReviewApprovals{}, pr(nil, approve("dave", head), approve("dave@example.com", head)), policy.Fail, false, "1 approval(s)"},
		{"changes requested", policy.ReviewApprovals{}, pr(nil, approve("carol", head), approve("dave", head), policy.Review{User: "erin", State: policy.ReviewChangesRequested, CommitID: head}), policy.Fail, false, "erin requested changes"},
		{"changes requested then approved", policy.ReviewApprovals{}, pr(nil, policy.Review{User: "erin", State: policy.ReviewChangesRequested, CommitID: first}, approve("carol", head), approve("erin", head)), policy.Pass, false, ""},
		{"a comment keeps the approval", policy.ReviewApprovals{}, pr(nil, approve("carol", head), approve("dave", head), policy.Review{User: "dave", State: policy.ReviewCommented, CommitID: head}), policy.Pass, false, ""},
		{"a dismissal clears it", policy.ReviewApprovals{}, pr(nil, approve("carol", head), approve("dave", head), policy.Review{User: "dave", State: policy.ReviewDismissed}), policy.Fail, false, "1 approval(s)"},
		{"three required", policy.ReviewApprovals{MinApprovals: 3}, pr(nil, approve("carol", head), approve("dave", head)), policy.Fail, false, "want 3"},
		{"invisible reviewer", policy.ReviewApprovals{}, pr(nil, approve("car\u200bol", head), approve("dave", head)), policy.Fail, false, "not a valid identity"},
		{"no reviews", policy.ReviewApprovals{}, &policy.PullRequest{Number: 7, Author: "alice", HeadSHA: head, Approvers: []string{"bob"}}, policy.Fail, true, "reviews"},
		{"no head", policy.ReviewApprovals{}, &policy.PullRequest{Number: 7, Author: "alice", Reviews: []policy.Review{approve("bob", head)}}, policy.Fail, true, "head_sha"},
		{"no pull request", policy.ReviewApprovals{}, nil, policy.Fail, true, "--pr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := eval(t, tt.c, policy.Facts{PullRequest: tt.pr, Files: fs})
			assert.Equal(t, tt.want, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.contains)
			assert.Equal(t, tt.missing, errors.Is(res.Err, policy.ErrMissingEvidence), res.Reason)
		})
	}

	// The policy's directory: two logins of one person count once, and
	// an alias of the author does not count.
	people, err := identity.NewDirectory(map[string][]string{"dave": {"dave", "dv-gh"}, "alice": {"alice", "al-gh"}})
	require.NoError(t, err)
	p := policy.Policy{Controls: []policy.Control{policy.ReviewApprovals{}}, People: people}
	for _, rs := range [][]policy.Review{{approve("dave", head), approve("dv-gh", head)}, {approve("al-gh", head), approve("dave", head)}} {
		r := policy.Evaluate(context.Background(), p, policy.Facts{PullRequest: pr(nil, rs...), Files: fs})
		assert.Equal(t, policy.Fail, r.Results[0].Status, r.Results[0].Reason)
	}
	// Not applicable never: a merge without pull-request data is missing evidence.
}

// TestReviewApprovalsLongCodeownersLine: a CODEOWNERS line longer than a
// line buffer (64 KiB) does not end the parse: the rules after it still
// win over an earlier catch-all owner.
func TestReviewApprovalsLongCodeownersLine(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("chore: owners ABC-1", map[string]string{"CODEOWNERS": "* @bob\n# " + strings.Repeat("x", 70000) + "\n/secure/ @secteam-lead\n"})
	head := g.CommitFiles("feat: keys ABC-2", map[string]string{"secure/keys.go": "package secure\n"})
	fs := files(t, g)
	pr := func(approver string) *policy.PullRequest {
		return &policy.PullRequest{Number: 7, Author: "alice", HeadSHA: head, ChangedFiles: []string{"secure/keys.go"},
			Reviews: []policy.Review{{User: approver, State: policy.ReviewApproved, CommitID: head, CanApprove: true}}}
	}
	res := eval(t, policy.ReviewApprovals{}, policy.Facts{PullRequest: pr("bob"), Files: fs})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Contains(t, res.Reason, "no owner of secure/keys.go (@secteam-lead) approved")
	res = eval(t, policy.ReviewApprovals{}, policy.Facts{PullRequest: pr("secteam-lead"), Files: fs})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
}

func TestReadPullRequestReviews(t *testing.T) {
	pr, err := policy.ReadPullRequest(strings.NewReader(`{"number": 7, "author": "alice", "head_sha": "` + strings.Repeat("a", 40) + `",
	  "reviews": [{"user": "bob", "state": "APPROVED", "commit_id": "` + strings.Repeat("a", 40) + `", "submitted_at": "2026-02-01T10:00:00Z"}],
	  "changed_files": ["api/x.go"]}`))
	require.NoError(t, err)
	assert.Equal(t, "bob", pr.Reviews[0].User)
	assert.Equal(t, []string{"api/x.go"}, pr.ChangedFiles)
	// The older form still reads.
	_, err = policy.ReadPullRequest(strings.NewReader(`{"number": 7, "author": "alice", "approvers": ["bob"], "checks": {"test": "success"}}`))
	require.NoError(t, err)
	for _, bad := range []string{`{"reviews": [{"user": "bob", "state": "LGTM"}]}`, `{"reviews": [{"user": "bob", "verdict": "APPROVED"}]}`} {
		_, err := policy.ReadPullRequest(strings.NewReader(bad))
		assert.Error(t, err, bad)
	}
}
