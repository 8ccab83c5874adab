package forge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/releasekit/releasekit/policy"
)

// A Forge is a code-hosting service's API for one repository: GitHub,
// GitLab or Gitea (packages forge/github, forge/gitlab, forge/gitea). Every
// call takes a context; a call the service refuses is an *[APIError]
// wrapping one of the package's errors. Implementations page through
// lists and wait out rate limits within the context's deadline.
type Forge interface {
	// PullRequest returns the facts of pull (merge) request number.
	PullRequest(ctx context.Context, number int) (PullRequest, error)
	// FindPullRequest returns the open pull request from head into base,
	// and false when there is none.
	FindPullRequest(ctx context.Context, head, base string) (PullRequest, bool, error)
	// OpenPullRequest opens a pull request from r.Head into r.Base, or,
	// when one is open from r.Head into r.Base, updates its title, body
	// and labels. It returns the request as it then is.
	OpenPullRequest(ctx context.Context, r NewPullRequest) (PullRequest, error)
	// SetLabels sets the labels of an issue or pull request to labels,
	// creating labels the repository does not have.
	SetLabels(ctx context.Context, number int, labels []string) error
	// Comment adds a comment to an issue or pull request.
	Comment(ctx context.Context, number int, body string) (Comment, error)
	// CreateRelease publishes a release of an existing tag with notes and,
	// when given, assets. A release of the tag that exists is returned as
	// it is (with Existed set), never created twice.
	CreateRelease(ctx context.Context, r NewRelease) (Release, error)
	// SetCommitStatus sets a commit status (CI-style) on a commit.
	SetCommitStatus(ctx context.Context, sha string, s CommitStatus) error
	// SetDeploymentStatus records a deployment of a ref to an environment
	// and its outcome.
	SetDeploymentStatus(ctx context.Context, d DeploymentStatus) error
	// UpsertIssue opens an issue, or updates the open issue with the same
	// title: the deployment status report of seed 000.
	UpsertIssue(ctx context.Context, i NewIssue) (Issue, error)
}

// A PullRequest is what a forge reports about a pull (merge) request: the
// facts the release policy decides on.
type PullRequest struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
	State  string `json:"state"` // StateOpen, StateClosed or StateMerged
	Title  string `json:"title"`
	Body   string `json:"body"`
	Author string `json:"author"`
	Head   string `json:"head"` // the head branch
	Base   string `json:"base"` // the base branch
	// HeadRepository and BaseRepository are the full names
	// ("owner/name") of the repositories the head and base branches are
	// in: they differ for a pull request from a fork.
	HeadRepository string    `json:"head_repository"`
	BaseRepository string    `json:"base_repository"`
	HeadSHA        string    `json:"head_sha"`
	MergeSHA       string    `json:"merge_sha,omitempty"`    // the commit the merge made on the base
	MergeMethod    string    `json:"merge_method,omitempty"` // squash, rebase or merge, when merged and known
	Labels         []string  `json:"labels"`
	Reviews        []Review  `json:"reviews"`
	Commits        []string  `json:"commits"` // the pull request's commit SHAs, oldest first
	Checks         []Check   `json:"checks"`  // the checks of the head commit
	ChangedFiles   []string  `json:"changed_files"`
	MergedAt       time.Time `json:"merged_at,omitzero"`
}

// The states of a [PullRequest].
const (
	StateOpen   = "open"
	StateClosed = "closed"
	StateMerged = "merged"
)

// A Review is one review with the reviewer's identity, its state
// (policy.ReviewApproved, ...) and the commit it reviewed.
type Review = policy.Review

// A Check is one check (or commit status) of a commit: its name, its
// outcome (CheckSuccess, CheckFailure, CheckPending, CheckSkipped), a link,
// and whether branch protection requires it.
type Check struct {
	Name     string `json:"name"`
	Outcome  string `json:"outcome"`
	URL      string `json:"url,omitempty"`
	Required bool   `json:"required"`
}

// The outcomes of a [Check] and the states of a [CommitStatus].
const (
	CheckSuccess = "success"
	CheckFailure = "failure"
	CheckPending = "pending"
	CheckSkipped = "skipped"
	CheckError   = "error"
)

// A NewPullRequest is a pull request to open or update.
type NewPullRequest struct {
	Head, Base  string
	Title, Body string
	Labels      []string
}

// A Comment is a comment on an issue or pull request.
type Comment struct {
	ID  int64  `json:"id"`
	URL string `json:"url"`
}

// A NewRelease is a release to publish on the forge: of Tag (which must
// exist), named Name, with the Markdown Notes, a pre-release or not, and
// Assets (files to upload).
type NewRelease struct {
	Tag        string
	Name       string
	Notes      string
	Prerelease bool
	Assets     []Asset
}

// An Asset is a file attached to a release.
type Asset struct {
	Name        string
	ContentType string
	Data        []byte
}

// A Release is a release as the forge has it.
type Release struct {
	ID      int64  `json:"id"`
	Tag     string `json:"tag"`
	URL     string `json:"url"`
	Existed bool   `json:"existed"` // it was there already: nothing was created
}

// A CommitStatus is a status set on a commit: a Context (the name shown),
// a State (CheckSuccess, CheckFailure, CheckPending, CheckError), a
// Description and a link.
type CommitStatus struct {
	Context     string
	State       string
	Description string
	URL         string
}

// A DeploymentStatus is the outcome of deploying Ref (a tag or commit) to
// Environment: State is DeploySuccess, DeployFailure, DeployInProgress or
// DeployQueued.
type DeploymentStatus struct {
	Ref         string
	Environment string
	State       string
	Description string
	URL         string
}

// The states of a [DeploymentStatus].
const (
	DeploySuccess    = "success"
	DeployFailure    = "failure"
	DeployInProgress = "in_progress"
	DeployQueued     = "queued"
)

// A NewIssue is an issue to open, or to update when an open issue has the
// same Title.
type NewIssue struct {
	Title  string
	Body   string
	Labels []string
}

// An Issue is an issue as the forge has it.
type Issue struct {
	Number  int    `json:"number"`
	URL     string `json:"url"`
	Created bool   `json:"created"` // opened by this call, not updated
}

// Errors a forge call is refused with, inside an *APIError.
var (
	ErrNotFound     = errors.New("forge: not found")
	ErrUnauthorized = errors.New("forge: unauthorized") // a missing, expired or insufficient token
	ErrRateLimited  = errors.New("forge: rate limited") // the limit did not reset within the context's deadline
	ErrConflict     = errors.New("forge: conflict")     // the state changed under the call (a stale head, an existing name)
	ErrInvalid      = errors.New("forge: invalid request")
	ErrUnavailable  = errors.New("forge: service unavailable")
)

// MaxPages bounds the pages of one list a client reads (100 000 items at
// GitHub's and GitLab's 100 a page). A list whose next page is not after
// the current one, or that has more pages, is an *[APIError] wrapping
// ErrUnavailable with the Message [PaginationMessage]: a hostile or broken
// server cannot keep a client reading forever.
const MaxPages = 1000

// PaginationMessage is the Message of the *[APIError] a list whose
// pagination does not end is refused with ([MaxPages]).
const PaginationMessage = "pagination does not end"

// An APIError is a call the forge refused: the Method and Path called,
// the HTTP Status and the forge's Message, wrapping one of the package's
// errors (ErrNotFound, ...).
type APIError struct {
	Forge   string // "github", "gitlab", "gitea"
	Method  string
	Path    string
	Status  int
	Message string
	Err     error
}

// Error returns "forge: github: GET /repos/o/r/pulls/1: 404 Not Found".
func (e *APIError) Error() string {
	msg := fmt.Sprintf("forge: %s: %s %s: %d", e.Forge, e.Method, e.Path, e.Status)
	if e.Message != "" {
		msg += " " + e.Message
	}
	return msg
}

// Unwrap returns the package error.
func (e *APIError) Unwrap() error { return e.Err }

// ErrorFor maps an HTTP status to the package's error: 404 ErrNotFound,
// 401 and 403 ErrUnauthorized, 429 ErrRateLimited, 409 and 412
// ErrConflict, 422 and other 4xx ErrInvalid, 5xx ErrUnavailable.
func ErrorFor(status int) error {
	switch {
	case status == 404:
		return ErrNotFound
	case status == 401 || status == 403:
		return ErrUnauthorized
	case status == 429:
		return ErrRateLimited
	case status == 409 || status == 412:
		return ErrConflict
	case status >= 400 && status < 500:
		return ErrInvalid
	default:
		return ErrUnavailable
	}
}

// Facts returns the pull request in the form the release policy reads
// (policy.PullRequest): the author, the reviews and the approvers (the
// reviewers whose latest review approves the head commit and who may
// approve, Review.CanApprove), the labels,
// the checks of the head commit by name, the merge method, the head and
// base branches, the head commit and the files changed.
//
// Several checks can report under one name (a check run and a commit
// status, two apps, a workflow of the pull request itself posting
// "build"): the name keeps the worst outcome of them, failure or error
// before pending before any other before skipped before success, so a
// later success never hides a failure and a pending check is never read
// as done.
//
// The head branch of a pull request from another repository (a fork: its
// HeadRepository is not its BaseRepository, or either is unknown) is
// "owner/name:branch", so that a fork's "main" or "release/1.2" is never
// read as the repository's own branch (REL-BRANCH-001).
func (pr PullRequest) Facts() *policy.PullRequest {
	head := pr.Head
	if pr.HeadRepository == "" || !strings.EqualFold(pr.HeadRepository, pr.BaseRepository) {
		repo := pr.HeadRepository
		if repo == "" {
			repo = "unknown-repository"
		}
		head = repo + ":" + pr.Head
	}
	f := &policy.PullRequest{Number: pr.Number, Author: pr.Author, Approvers: []string{}, Labels: append([]string{}, pr.Labels...),
		Checks: map[string]string{}, MergeMethod: pr.MergeMethod, Head: head, Base: pr.Base, HeadSHA: pr.HeadSHA,
		Reviews: append([]Review{}, pr.Reviews...), ChangedFiles: append([]string{}, pr.ChangedFiles...)}
	latest := map[string]Review{}
	var order []string
	for _, r := range pr.Reviews {
		if r.State == policy.ReviewCommented || r.State == policy.ReviewPending {
			continue
		}
		if _, ok := latest[r.User]; !ok {
			order = append(order, r.User)
		}
		latest[r.User] = r
	}
	for _, u := range order {
		if r := latest[u]; r.State == policy.ReviewApproved && r.CanApprove && r.CommitID == pr.HeadSHA && pr.HeadSHA != "" {
			f.Approvers = append(f.Approvers, u)
		}
	}
	for _, c := range pr.Checks {
		if o, ok := f.Checks[c.Name]; !ok || severity(c.Outcome) > severity(o) {
			f.Checks[c.Name] = c.Outcome
		}
	}
	return f
}

// severity orders check outcomes for [PullRequest.Facts]: the greater,
// the worse. An outcome it does not know counts as a failure.
func severity(outcome string) int {
	switch outcome {
	case CheckSuccess:
		return 0
	case CheckSkipped:
		return 1
	case CheckPending:
		return 3
	case CheckFailure, CheckError:
		return 4
	default:
		return 4
	}
}

// ErrRedirect is the error of a request the forge redirected to another
// scheme, host or port ([SameHostRedirects]).
var ErrRedirect = errors.New("forge: redirect to another host refused")

// SameHostRedirects returns a copy of c (http.DefaultClient when nil)
// that follows a redirect only to the same scheme, host and port as the
// request redirected (at most ten), and refuses any other with an error
// wrapping ErrRedirect. Go's client sends the Authorization header to any
// host a redirect names when the caller set it on the request — as the
// forges' SDKs do — so a forge (or whoever answers in its name) that
// redirects elsewhere would otherwise receive the token there and answer
// with facts of its own. Every client of the forge packages uses it.
func SameHostRedirects(c *http.Client) *http.Client {
	if c == nil {
		c = http.DefaultClient
	}
	cp := *c
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return fmt.Errorf("%w: stopped after 10 redirects", ErrRedirect)
		}
		from := via[0].URL
		if req.URL.Scheme != from.Scheme || !strings.EqualFold(req.URL.Host, from.Host) {
			return fmt.Errorf("%w: %s://%s redirected to %s://%s", ErrRedirect, from.Scheme, from.Host, req.URL.Scheme, req.URL.Host)
		}
		return nil
	}
	return &cp
}
