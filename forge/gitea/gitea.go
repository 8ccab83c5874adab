package gitea

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	sdk "code.gitea.io/sdk/gitea"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/internal/ratelimit"
	"github.com/releasekit/releasekit/policy"
)

// A Forge is one Gitea repository's API. It is safe for concurrent use:
// every call makes its own SDK client bound to the call's context.
type Forge struct {
	url, owner, repo, token string
	hc                      *http.Client
	pageSize                int

	mu sync.Mutex
	me *sdk.User // the token's user, once read
}

var _ forge.Forge = (*Forge)(nil)

// An Option changes a [Forge].
type Option func(*config)

type config struct {
	hc       *http.Client
	pageSize int
	maxWait  time.Duration
}

// WithHTTPClient makes the calls with a copy of hc whose transport is
// wrapped to wait out rate limits and which follows redirects only to
// the same scheme, host and port ([forge.SameHostRedirects]); the
// default is such a client on http.DefaultTransport. hc itself is not
// changed.
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.hc = hc } }

// DefaultMaxRateLimitWait is how long a call waits at most for a rate
// limit when no [WithMaxRateLimitWait] is given.
const DefaultMaxRateLimitWait = 10 * time.Minute

// WithMaxRateLimitWait sets how long a call waits at most for a rate
// limit (and never past its context's deadline); zero never waits. A
// 429 (or a 503 with Retry-After) that asks for longer is returned at
// once, as forge.ErrRateLimited (forge.ErrUnavailable).
func WithMaxRateLimitWait(d time.Duration) Option { return func(c *config) { c.maxWait = d } }

// WithPageSize asks for n items a page (Gitea caps it at its
// MAX_RESPONSE_ITEMS, 50 by default); tests use small pages to exercise
// pagination.
func WithPageSize(n int) Option { return func(c *config) { c.pageSize = n } }

// New returns the Forge of repository owner/repo on the Gitea server at
// baseURL ("https://gitea.example.com", without /api/v1), calling it with
// token (from [forge.Token], never from a command line). It makes no
// call.
//
// A redirect to another scheme, host or port is refused before it is
// followed (an error wrapping [forge.ErrRedirect]): Go forwards the
// Authorization header the SDK sets to another port of the same host,
// and the answer would come from a server that is not the forge.
func New(baseURL, owner, repo, token string, opts ...Option) (*Forge, error) {
	if baseURL == "" || owner == "" || repo == "" {
		return nil, fmt.Errorf("%w: gitea: a server URL, an owner and a repository are needed", forge.ErrInvalid)
	}
	if token == "" {
		return nil, fmt.Errorf("%w: gitea: no token", forge.ErrUnauthorized)
	}
	c := config{pageSize: 50, maxWait: DefaultMaxRateLimitWait}
	for _, o := range opts {
		o(&c)
	}
	hc := forge.SameHostRedirects(c.hc) // a copy: c.hc is not changed
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = &retryTransport{base: base, wait: ratelimit.New(c.maxWait)}
	if c.pageSize <= 0 {
		c.pageSize = 50
	}
	return &Forge{url: strings.TrimSuffix(baseURL, "/"), owner: owner, repo: repo, token: token, hc: hc, pageSize: c.pageSize}, nil
}

// client returns an SDK client whose requests carry ctx. The SDK keeps
// one context per client, so each call has its own; no version probe is
// made (the calls used exist since Gitea 1.17).
func (f *Forge) client(ctx context.Context) (*sdk.Client, error) {
	return sdk.NewClient(f.url, sdk.SetToken(f.token), sdk.SetHTTPClient(f.hc), sdk.SetContext(ctx),
		sdk.SetGiteaVersion(""), sdk.SetUserAgent("releasekit"))
}

// apiError turns an SDK failure into an *forge.APIError (a refused call)
// or the context's error.
func apiError(ctx context.Context, op string, resp *sdk.Response, err error) error {
	if err == nil {
		return nil
	}
	if resp != nil && resp.Response != nil && resp.StatusCode >= 400 {
		e := &forge.APIError{Forge: "gitea", Status: resp.StatusCode, Message: strings.TrimSpace(err.Error()), Err: forge.ErrorFor(resp.StatusCode)}
		if resp.Request != nil {
			e.Method, e.Path = resp.Request.Method, resp.Request.URL.Path
		}
		return e
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("gitea: %s: %w", op, ctxErr)
	}
	return fmt.Errorf("gitea: %s: %w: %w", op, forge.ErrUnavailable, err)
}

// pages calls list for each page until the last (Gitea's Link header has
// no "next"; a short or empty page ends it too), at most forge.MaxPages.
func pages[T any](ctx context.Context, f *Forge, op string, list func(sdk.ListOptions) ([]T, *sdk.Response, error)) ([]T, error) {
	var out []T
	opt := sdk.ListOptions{Page: 1, PageSize: f.pageSize}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		items, resp, err := list(opt)
		if err != nil {
			return nil, apiError(ctx, op, resp, err)
		}
		out = append(out, items...)
		next := opt.Page + 1
		switch {
		case len(items) == 0:
			return out, nil
		case resp != nil && resp.NextPage > opt.Page:
			next = resp.NextPage
		case resp != nil && resp.Header.Get("Link") != "":
			return out, nil // a Link header without "next": the last page
		case len(items) < opt.PageSize:
			return out, nil
		}
		if next > forge.MaxPages {
			return nil, &forge.APIError{Forge: "gitea", Message: forge.PaginationMessage, Err: forge.ErrUnavailable}
		}
		opt.Page = next
	}
}

// PullRequest returns the facts of pull request number: its author,
// branches and the full names of their repositories ("owner/name": a
// fork's head is in the fork), head commit, labels, every review (state,
// the commit it reviewed and, as Review.CanApprove, whether Gitea counts
// it as official), its commits (oldest first), changed files, the latest
// status of each context on the head commit (Required when the base
// branch's protection lists the context), and, once merged, the merge
// commit and the merge method.
//
// Gitea does not record the merge style of a merged pull request; it is
// inferred from the merge commit: two or more parents is "merge"; one
// parent with the message of the pull request's last commit is "rebase"
// (a rebase replays the commits as they are); otherwise "squash".
func (f *Forge) PullRequest(ctx context.Context, number int) (forge.PullRequest, error) {
	c, err := f.client(ctx)
	if err != nil {
		return forge.PullRequest{}, err
	}
	pr, resp, err := c.GetPullRequest(f.owner, f.repo, int64(number))
	if err != nil {
		return forge.PullRequest{}, apiError(ctx, "get pull request", resp, err)
	}
	out := pullRequest(pr)
	reviews, err := pages(ctx, f, "list reviews", func(o sdk.ListOptions) ([]*sdk.PullReview, *sdk.Response, error) {
		return c.ListPullReviews(f.owner, f.repo, pr.Index, sdk.ListPullReviewsOptions{ListOptions: o})
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	out.Reviews = []forge.Review{}
	for _, r := range reviews {
		if rv, ok := review(r); ok {
			out.Reviews = append(out.Reviews, rv)
		}
	}
	cs, err := pages(ctx, f, "list commits", func(o sdk.ListOptions) ([]*sdk.Commit, *sdk.Response, error) {
		return c.ListPullRequestCommits(f.owner, f.repo, pr.Index, sdk.ListPullRequestCommitsOptions{ListOptions: o})
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	cs = oldestFirst(cs)
	out.Commits = []string{}
	for _, cm := range cs {
		out.Commits = append(out.Commits, cm.SHA)
	}
	// Gitea reports a merged pull request's head as the tip of its head
	// branch while that branch exists, even when the branch has moved on
	// since (a release bot reuses its branch for the next release PR). Its
	// commits come from the pull request's own ref: the last one is the head
	// that was reviewed, checked and merged.
	if out.State == forge.StateMerged && len(cs) > 0 {
		out.HeadSHA = cs[len(cs)-1].SHA
	}
	files, err := pages(ctx, f, "list files", func(o sdk.ListOptions) ([]*sdk.ChangedFile, *sdk.Response, error) {
		return c.ListPullRequestFiles(f.owner, f.repo, pr.Index, sdk.ListPullRequestFilesOptions{ListOptions: o})
	})
	if err != nil {
		return forge.PullRequest{}, err
	}
	out.ChangedFiles = []string{}
	for _, fl := range files {
		out.ChangedFiles = append(out.ChangedFiles, fl.Filename)
	}
	if out.Checks, err = f.checks(ctx, c, out.HeadSHA, out.Base); err != nil {
		return forge.PullRequest{}, err
	}
	if out.State == forge.StateMerged && out.MergeSHA != "" {
		mc, resp, err := c.GetSingleCommit(f.owner, f.repo, out.MergeSHA)
		if err != nil {
			return forge.PullRequest{}, apiError(ctx, "get merge commit", resp, err)
		}
		out.MergeMethod = mergeMethod(mc, cs)
	}
	return out, nil
}

// pullRequest maps what GET pulls/{n} tells.
func pullRequest(pr *sdk.PullRequest) forge.PullRequest {
	out := forge.PullRequest{Number: int(pr.Index), URL: pr.HTMLURL, State: string(pr.State), Title: pr.Title, Body: pr.Body, Labels: []string{}}
	if pr.HasMerged {
		out.State = forge.StateMerged
	}
	if pr.Poster != nil {
		out.Author = pr.Poster.UserName
	}
	if pr.Head != nil {
		out.Head, out.HeadSHA = pr.Head.Ref, pr.Head.Sha
		if pr.Head.Repository != nil {
			out.HeadRepository = pr.Head.Repository.FullName
		}
	}
	if pr.Base != nil {
		out.Base = pr.Base.Ref
		if pr.Base.Repository != nil {
			out.BaseRepository = pr.Base.Repository.FullName
		}
	}
	if pr.HasMerged && pr.MergedCommitID != nil {
		out.MergeSHA = *pr.MergedCommitID
	}
	if pr.Merged != nil {
		out.MergedAt = pr.Merged.UTC()
	}
	for _, l := range pr.Labels {
		out.Labels = append(out.Labels, l.Name)
	}
	return out
}

// review maps a Gitea review; a review request is not a review. The
// reviewer may approve (CanApprove) when Gitea marks the review official:
// it counts towards the base branch's required approvals (a reviewer on
// the protection's approvals allowlist or, without one, with write
// access; with no protection, write access; see IsOfficialReviewer in
// Gitea's models/issues/review.go).
func review(r *sdk.PullReview) (forge.Review, bool) {
	rv := forge.Review{CommitID: r.CommitID, SubmittedAt: r.Submitted.UTC(), CanApprove: r.Official}
	if r.Reviewer != nil {
		rv.User = r.Reviewer.UserName
	}
	switch {
	case r.State == sdk.ReviewStateRequestReview:
		return rv, false
	case r.Dismissed:
		rv.State = policy.ReviewDismissed
	case r.State == sdk.ReviewStateApproved:
		rv.State = policy.ReviewApproved
	case r.State == sdk.ReviewStateRequestChanges:
		rv.State = policy.ReviewChangesRequested
	case r.State == sdk.ReviewStateComment:
		rv.State = policy.ReviewCommented
	default:
		rv.State = policy.ReviewPending
	}
	return rv, true
}

// oldestFirst orders commits parents before children, keeping the API's
// order (reversed: Gitea lists the newest first) between unrelated ones.
func oldestFirst(cs []*sdk.Commit) []*sdk.Commit {
	in := map[string]bool{}
	for _, c := range cs {
		in[c.SHA] = true
	}
	rev := slices.Clone(cs)
	slices.Reverse(rev)
	done := map[string]bool{}
	out := make([]*sdk.Commit, 0, len(cs))
	var visit func(c *sdk.Commit)
	byID := map[string]*sdk.Commit{}
	for _, c := range cs {
		byID[c.SHA] = c
	}
	visit = func(c *sdk.Commit) {
		if done[c.SHA] {
			return
		}
		done[c.SHA] = true
		for _, p := range c.Parents {
			if p != nil && in[p.SHA] {
				visit(byID[p.SHA])
			}
		}
		out = append(out, c)
	}
	for _, c := range rev {
		visit(c)
	}
	return out
}

func mergeMethod(mc *sdk.Commit, prCommits []*sdk.Commit) string {
	if len(mc.Parents) >= 2 {
		return "merge"
	}
	if n := len(prCommits); n > 0 && mc.RepoCommit != nil && prCommits[n-1].RepoCommit != nil &&
		strings.TrimSpace(mc.RepoCommit.Message) == strings.TrimSpace(prCommits[n-1].RepoCommit.Message) {
		return "rebase"
	}
	return "squash"
}

// checks returns the latest status of each context on sha, Required when
// the protection of base lists it (Gitea's status_check_contexts are
// glob patterns); a required context with no status yet is pending.
func (f *Forge) checks(ctx context.Context, c *sdk.Client, sha, base string) ([]forge.Check, error) {
	out := []forge.Check{}
	if sha == "" {
		return out, nil
	}
	statuses, err := pages(ctx, f, "list statuses", func(o sdk.ListOptions) ([]*sdk.Status, *sdk.Response, error) {
		return c.ListStatuses(f.owner, f.repo, sha, sdk.ListStatusesOption{ListOptions: o})
	})
	if err != nil {
		return nil, err
	}
	var required []string
	if base != "" {
		br, resp, err := c.GetRepoBranch(f.owner, f.repo, base)
		if err != nil {
			return nil, apiError(ctx, "get base branch", resp, err)
		}
		if br.EnableStatusCheck {
			required = br.StatusCheckContexts
		}
	}
	latest := map[string]*sdk.Status{}
	for _, s := range statuses {
		if l, ok := latest[s.Context]; !ok || s.ID > l.ID {
			latest[s.Context] = s
		}
	}
	for _, s := range latest {
		out = append(out, forge.Check{Name: s.Context, Outcome: outcome(s.State), URL: s.TargetURL, Required: matchesAny(required, s.Context)})
	}
	for _, pat := range required {
		if !strings.ContainsAny(pat, "*?[{") && latest[pat] == nil {
			out = append(out, forge.Check{Name: pat, Outcome: forge.CheckPending, Required: true})
		}
	}
	slices.SortFunc(out, func(a, b forge.Check) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

func outcome(s sdk.StatusState) string {
	switch s {
	case sdk.StatusSuccess:
		return forge.CheckSuccess
	case sdk.StatusFailure:
		return forge.CheckFailure
	case sdk.StatusError:
		return forge.CheckError
	case "skipped":
		return forge.CheckSkipped
	case sdk.StatusWarning:
		return forge.CheckFailure // a warning is not a pass
	default:
		return forge.CheckPending
	}
}

// matchesAny reports whether name matches one of Gitea's glob patterns
// ("*" and "?" match any character, "/" included).
func matchesAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if p == name {
			return true
		}
		var re strings.Builder
		re.WriteString("^")
		for _, r := range p {
			switch r {
			case '*':
				re.WriteString(".*")
			case '?':
				re.WriteString(".")
			default:
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		re.WriteString("$")
		if ok, _ := regexp.MatchString(re.String(), name); ok {
			return true
		}
	}
	return false
}

// FindPullRequest returns the open pull request from head into base of
// this repository, and false when there is none.
func (f *Forge) FindPullRequest(ctx context.Context, head, base string) (forge.PullRequest, bool, error) {
	n, err := f.findOpen(ctx, head, base)
	if err != nil || n == 0 {
		return forge.PullRequest{}, false, err
	}
	pr, err := f.PullRequest(ctx, n)
	return pr, err == nil, err
}

func (f *Forge) findOpen(ctx context.Context, head, base string) (int, error) {
	c, err := f.client(ctx)
	if err != nil {
		return 0, err
	}
	prs, err := pages(ctx, f, "list pull requests", func(o sdk.ListOptions) ([]*sdk.PullRequest, *sdk.Response, error) {
		return c.ListRepoPullRequests(f.owner, f.repo, sdk.ListPullRequestsOptions{ListOptions: o, State: sdk.StateOpen})
	})
	if err != nil {
		return 0, err
	}
	for _, pr := range prs {
		if pr.Head == nil || pr.Base == nil || pr.Head.Ref != head || pr.Base.Ref != base {
			continue
		}
		if pr.Head.RepoID != 0 && pr.Base.RepoID != 0 && pr.Head.RepoID != pr.Base.RepoID {
			continue // from a fork
		}
		return int(pr.Index), nil
	}
	return 0, nil
}

// OpenPullRequest opens a pull request from r.Head into r.Base, or
// updates the title, body and labels of the one open, and returns it.
func (f *Forge) OpenPullRequest(ctx context.Context, r forge.NewPullRequest) (forge.PullRequest, error) {
	if r.Head == "" || r.Base == "" || r.Title == "" {
		return forge.PullRequest{}, fmt.Errorf("%w: gitea: a pull request needs a head, a base and a title", forge.ErrInvalid)
	}
	n, err := f.findOpen(ctx, r.Head, r.Base)
	if err != nil {
		return forge.PullRequest{}, err
	}
	c, err := f.client(ctx)
	if err != nil {
		return forge.PullRequest{}, err
	}
	ids, err := f.labelIDs(ctx, c, r.Labels)
	if err != nil {
		return forge.PullRequest{}, err
	}
	if n == 0 {
		pr, resp, err := c.CreatePullRequest(f.owner, f.repo, sdk.CreatePullRequestOption{Head: r.Head, Base: r.Base, Title: r.Title, Body: r.Body, Labels: ids})
		if err != nil {
			return forge.PullRequest{}, apiError(ctx, "create pull request", resp, err)
		}
		n = int(pr.Index)
	} else {
		body := r.Body
		if _, resp, err := c.EditPullRequest(f.owner, f.repo, int64(n), sdk.EditPullRequestOption{Title: r.Title, Body: &body}); err != nil {
			return forge.PullRequest{}, apiError(ctx, "edit pull request", resp, err)
		}
		if _, resp, err := c.ReplaceIssueLabels(f.owner, f.repo, int64(n), sdk.IssueLabelsOption{Labels: ids}); err != nil {
			return forge.PullRequest{}, apiError(ctx, "set labels", resp, err)
		}
	}
	return f.PullRequest(ctx, n)
}

// SetLabels sets the labels of issue or pull request number to exactly
// labels, creating those the repository lacks.
func (f *Forge) SetLabels(ctx context.Context, number int, labels []string) error {
	c, err := f.client(ctx)
	if err != nil {
		return err
	}
	ids, err := f.labelIDs(ctx, c, labels)
	if err != nil {
		return err
	}
	_, resp, err := c.ReplaceIssueLabels(f.owner, f.repo, int64(number), sdk.IssueLabelsOption{Labels: ids})
	return apiError(ctx, "set labels", resp, err)
}

// labelIDs returns the IDs of names, creating the labels that do not
// exist (a label created meanwhile by another run is looked up again).
func (f *Forge) labelIDs(ctx context.Context, c *sdk.Client, names []string) ([]int64, error) {
	ids := []int64{}
	if len(names) == 0 {
		return ids, nil
	}
	list := func() (map[string]int64, error) {
		ls, err := pages(ctx, f, "list labels", func(o sdk.ListOptions) ([]*sdk.Label, *sdk.Response, error) {
			return c.ListRepoLabels(f.owner, f.repo, sdk.ListLabelsOptions{ListOptions: o})
		})
		if err != nil {
			return nil, err
		}
		m := map[string]int64{}
		for _, l := range ls {
			m[l.Name] = l.ID
		}
		return m, nil
	}
	have, err := list()
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		id, ok := have[name]
		if !ok {
			l, resp, err := c.CreateLabel(f.owner, f.repo, sdk.CreateLabelOption{Name: name, Color: "#ededed", Description: "set by releasekit"})
			if err != nil {
				cerr := apiError(ctx, "create label", resp, err)
				if !errors.Is(cerr, forge.ErrConflict) && !errors.Is(cerr, forge.ErrInvalid) {
					return nil, cerr
				}
				if have, err = list(); err != nil {
					return nil, err
				}
				if id, ok = have[name]; !ok {
					return nil, cerr
				}
			} else {
				id = l.ID
				have[name] = id
			}
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// Comment adds a comment to issue or pull request number.
func (f *Forge) Comment(ctx context.Context, number int, body string) (forge.Comment, error) {
	c, err := f.client(ctx)
	if err != nil {
		return forge.Comment{}, err
	}
	cm, resp, err := c.CreateIssueComment(f.owner, f.repo, int64(number), sdk.CreateIssueCommentOption{Body: body})
	if err != nil {
		return forge.Comment{}, apiError(ctx, "comment", resp, err)
	}
	return forge.Comment{ID: cm.ID, URL: cm.HTMLURL}, nil
}

// CreateRelease publishes the release of r.Tag, which must exist: a
// release of the tag that exists is returned with Existed set, never made
// twice. Gitea would create a missing tag from the default branch, so the
// tag is read first (GET /repos/{owner}/{repo}/tags/{tag}); a missing
// tag is the *forge.APIError of that 404, wrapping forge.ErrNotFound,
// and nothing is created.
// Assets the release lacks, by name, are uploaded in both cases, so a
// run that failed mid-way completes them.
func (f *Forge) CreateRelease(ctx context.Context, r forge.NewRelease) (forge.Release, error) {
	if r.Tag == "" {
		return forge.Release{}, fmt.Errorf("%w: gitea: a release needs a tag", forge.ErrInvalid)
	}
	c, err := f.client(ctx)
	if err != nil {
		return forge.Release{}, err
	}
	// Gitea records a pushed tag in a queue, as a tag-only release row; a
	// release created while that runs can meet the row half-way (a 500 on
	// the unique key, or a 409 and then no release to read). Creating is
	// idempotent — the release of the tag is read first, and Gitea turns a
	// tag-only row into the release — so the whole step is tried again,
	// three times at most, a moment later.
	var rel *sdk.Release
	var existed bool
	for attempt := 0; ; attempt++ {
		var again bool
		rel, existed, again, err = f.createRelease(ctx, c, r)
		if err == nil {
			break
		}
		if !again || attempt == 2 {
			return forge.Release{}, err
		}
		if serr := ratelimit.Sleep(ctx, time.Duration(250<<attempt)*time.Millisecond); serr != nil {
			return forge.Release{}, err
		}
	}
	have := map[string]bool{}
	for _, a := range rel.Attachments {
		have[a.Name] = true
	}
	for _, a := range r.Assets {
		if have[a.Name] {
			continue
		}
		if _, resp, err := c.CreateReleaseAttachment(f.owner, f.repo, rel.ID, bytes.NewReader(a.Data), a.Name); err != nil {
			return forge.Release{}, apiError(ctx, "upload asset "+a.Name, resp, err)
		}
	}
	return forge.Release{ID: rel.ID, Tag: rel.TagName, URL: rel.HTMLURL, Existed: existed}, nil
}

// createRelease reads the release of r.Tag or creates it; again says that
// an error may be Gitea's tag queue racing the creation (see
// CreateRelease).
func (f *Forge) createRelease(ctx context.Context, c *sdk.Client, r forge.NewRelease) (rel *sdk.Release, existed, again bool, err error) {
	rel, resp, err := c.GetReleaseByTag(f.owner, f.repo, r.Tag)
	if err == nil {
		return rel, true, false, nil
	}
	if err = apiError(ctx, "get release", resp, err); !errors.Is(err, forge.ErrNotFound) {
		return nil, false, false, err
	}
	if _, resp, err := c.GetTag(f.owner, f.repo, r.Tag); err != nil {
		return nil, false, false, apiError(ctx, "get tag "+r.Tag, resp, err)
	}
	name := cmp.Or(r.Name, r.Tag)
	rel, resp, err = c.CreateRelease(f.owner, f.repo, sdk.CreateReleaseOption{TagName: r.Tag, Title: name, Note: r.Notes, IsPrerelease: r.Prerelease})
	if err == nil {
		return rel, false, false, nil
	}
	cerr := apiError(ctx, "create release", resp, err)
	if errors.Is(cerr, forge.ErrUnavailable) {
		return nil, false, true, cerr
	}
	if !errors.Is(cerr, forge.ErrConflict) {
		return nil, false, false, cerr
	}
	// Another run made it meanwhile, or the tag queue's row is there.
	if rel, resp, err = c.GetReleaseByTag(f.owner, f.repo, r.Tag); err != nil {
		gerr := apiError(ctx, "get release", resp, err)
		return nil, false, errors.Is(gerr, forge.ErrNotFound), gerr
	}
	return rel, true, false, nil
}

// SetCommitStatus sets status s on commit sha (s.State: success,
// failure, pending or error).
func (f *Forge) SetCommitStatus(ctx context.Context, sha string, s forge.CommitStatus) error {
	var st sdk.StatusState
	switch s.State {
	case forge.CheckSuccess, forge.CheckFailure, forge.CheckPending, forge.CheckError:
		st = sdk.StatusState(s.State)
	default:
		return fmt.Errorf("%w: gitea: commit status state %q (want success, failure, pending or error)", forge.ErrInvalid, s.State)
	}
	if sha == "" || s.Context == "" {
		return fmt.Errorf("%w: gitea: a commit status needs a commit and a context", forge.ErrInvalid)
	}
	c, err := f.client(ctx)
	if err != nil {
		return err
	}
	_, resp, err := c.CreateStatus(f.owner, f.repo, sha, sdk.CreateStatusOption{State: st, TargetURL: s.URL, Description: s.Description, Context: s.Context})
	return apiError(ctx, "set commit status", resp, err)
}

// DeployContextPrefix starts the context of the commit status a
// deployment status is recorded as: "deploy/<environment>".
const DeployContextPrefix = "deploy/"

// SetDeploymentStatus records d. Gitea has no deployments API, so a
// deployment status is a commit status on the commit d.Ref (a tag, branch
// or commit) names, with the context "deploy/<environment>" (see
// [DeployContextPrefix]): success and failure as they are, in_progress
// and queued as pending with the state leading the description. The
// latest status of that context is the environment's current state.
func (f *Forge) SetDeploymentStatus(ctx context.Context, d forge.DeploymentStatus) error {
	if d.Ref == "" || d.Environment == "" {
		return fmt.Errorf("%w: gitea: a deployment status needs a ref and an environment", forge.ErrInvalid)
	}
	s := forge.CommitStatus{Context: DeployContextPrefix + d.Environment, Description: d.Description, URL: d.URL}
	switch d.State {
	case forge.DeploySuccess:
		s.State = forge.CheckSuccess
	case forge.DeployFailure:
		s.State = forge.CheckFailure
	case forge.DeployInProgress, forge.DeployQueued:
		s.State = forge.CheckPending
		s.Description = strings.TrimSpace(strings.ReplaceAll(d.State, "_", " ") + ": " + d.Description)
	default:
		return fmt.Errorf("%w: gitea: deployment state %q", forge.ErrInvalid, d.State)
	}
	if s.Description == "" {
		s.Description = "deployed " + d.Ref + " to " + d.Environment
	}
	c, err := f.client(ctx)
	if err != nil {
		return err
	}
	cm, resp, err := c.GetSingleCommit(f.owner, f.repo, d.Ref)
	if err != nil {
		return apiError(ctx, "resolve "+d.Ref, resp, err)
	}
	return f.SetCommitStatus(ctx, cm.SHA, s)
}

// UpsertIssue opens issue i, or, when an open issue with the same title
// was opened by the token's user, replaces its body (and its labels when
// i.Labels is not nil). The oldest such issue is the one updated. An
// issue with the title that someone else opened is left alone: its
// author could edit the report at will. The token's user is read once
// (GET /user); when Gitea does not say who it is the call fails, before
// anything is written, with an error wrapping [ErrUnknownUser].
func (f *Forge) UpsertIssue(ctx context.Context, i forge.NewIssue) (forge.Issue, error) {
	// Gitea trims the title of the issue it creates: the title looked for
	// is the one it keeps, or the bot would open a new issue on every run.
	i.Title = strings.TrimSpace(i.Title)
	if i.Title == "" {
		return forge.Issue{}, fmt.Errorf("%w: gitea: an issue needs a title", forge.ErrInvalid)
	}
	c, err := f.client(ctx)
	if err != nil {
		return forge.Issue{}, err
	}
	me, err := f.self(ctx, c)
	if err != nil {
		return forge.Issue{}, err
	}
	issues, err := pages(ctx, f, "list issues", func(o sdk.ListOptions) ([]*sdk.Issue, *sdk.Response, error) {
		return c.ListRepoIssues(f.owner, f.repo, sdk.ListIssueOption{ListOptions: o, State: sdk.StateOpen, Type: sdk.IssueTypeIssue})
	})
	if err != nil {
		return forge.Issue{}, err
	}
	var found *sdk.Issue
	for _, is := range issues {
		if strings.TrimSpace(is.Title) == i.Title && is.PullRequest == nil && is.Poster != nil && is.Poster.ID == me.ID && (found == nil || is.Index < found.Index) {
			found = is
		}
	}
	if found == nil {
		ids, err := f.labelIDs(ctx, c, i.Labels)
		if err != nil {
			return forge.Issue{}, err
		}
		is, resp, err := c.CreateIssue(f.owner, f.repo, sdk.CreateIssueOption{Title: i.Title, Body: i.Body, Labels: ids})
		if err != nil {
			return forge.Issue{}, apiError(ctx, "create issue", resp, err)
		}
		return forge.Issue{Number: int(is.Index), URL: is.HTMLURL, Created: true}, nil
	}
	body := i.Body
	if _, resp, err := c.EditIssue(f.owner, f.repo, found.Index, sdk.EditIssueOption{Title: i.Title, Body: &body}); err != nil {
		return forge.Issue{}, apiError(ctx, "edit issue", resp, err)
	}
	if i.Labels != nil {
		if err := f.SetLabels(ctx, int(found.Index), i.Labels); err != nil {
			return forge.Issue{}, err
		}
	}
	return forge.Issue{Number: int(found.Index), URL: found.HTMLURL}, nil
}

// ErrUnknownUser is wrapped by the error of a write that must know whose
// token it has ([Forge.UpsertIssue]) when Gitea does not say (GET /user
// refused, or answered without a user).
var ErrUnknownUser = errors.New("gitea: the token's user is unknown")

// self returns the token's user (GET /user), read on the first call; a
// failed read is not kept. A refusal is an *forge.APIError wrapping
// [ErrUnknownUser] and the error of its status.
func (f *Forge) self(ctx context.Context, c *sdk.Client) (*sdk.User, error) {
	f.mu.Lock()
	me := f.me
	f.mu.Unlock()
	if me != nil {
		return me, nil
	}
	const why = "issue reports need a token that can read its user (GET /user)"
	me, resp, err := c.GetMyUserInfo()
	if err != nil {
		err = apiError(ctx, "get the token's user", resp, err)
		var ae *forge.APIError
		if !errors.As(err, &ae) {
			return nil, fmt.Errorf("%w: %s: %w", ErrUnknownUser, why, err)
		}
		e := *ae
		e.Message = ae.Message + ": " + why
		e.Err = errors.Join(ErrUnknownUser, ae.Err)
		return nil, &e
	}
	if me == nil || me.ID <= 0 {
		return nil, &forge.APIError{Forge: "gitea", Method: http.MethodGet, Path: "/api/v1/user", Status: http.StatusOK,
			Message: "the answer names no user: " + why, Err: errors.Join(ErrUnknownUser, forge.ErrUnauthorized)}
	}
	f.mu.Lock()
	f.me = me
	f.mu.Unlock()
	return me, nil
}
