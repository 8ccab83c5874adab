package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v75/github"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/internal/ratelimit"
)

// A Client is the [forge.Forge] of one GitHub (or GitHub Enterprise
// Server) repository. It is safe for concurrent use.
type Client struct {
	gh           *gh.Client
	owner, repo  string
	skipContexts bool
	// wait takes the rate-limit waits (tests replace its clock).
	wait ratelimit.Waiter
}

// An Option changes a setting of [New].
type Option func(*Client)

// DefaultMaxRateLimitWait is how long a call waits at most for a rate
// limit to reset when no [WithMaxRateLimitWait] is given.
const DefaultMaxRateLimitWait = 10 * time.Minute

// WithMaxRateLimitWait sets how long a call waits at most for a rate
// limit to reset (and never past its context's deadline). Zero means the
// call never waits: a rate-limited call fails at once with
// forge.ErrRateLimited.
func WithMaxRateLimitWait(d time.Duration) Option {
	return func(c *Client) { c.wait.Max = d }
}

// WithoutDeploymentChecksUnsafe creates deployments with an empty
// required_contexts, so that GitHub records the deployment even when the
// commit statuses of its ref are not all successful. By default the field
// is left out and GitHub refuses (409, forge.ErrConflict) a deployment of
// a ref whose statuses have not all passed.
func WithoutDeploymentChecksUnsafe() Option {
	return func(c *Client) { c.skipContexts = true }
}

// New returns the client of the repository owner/repo. httpClient may be
// nil (http.DefaultClient's transport is used). baseURL is "" for
// api.github.com, or the URL of a GitHub Enterprise Server
// ("https://github.example.com", to which "/api/v3/" and "/api/uploads/"
// are added when missing). token is sent as a bearer token; callers take
// it from [forge.Token]("github"), never from a command line. An empty
// token makes anonymous calls (public repositories, a low rate limit).
//
// The client works on a copy of httpClient that follows a redirect only
// to the scheme, host and port of the request redirected
// ([forge.SameHostRedirects]): go-github puts the token on every request
// its transport sends, a redirected one included, so a redirect elsewhere
// would carry the token there. A call redirected elsewhere fails with a
// *forge.APIError wrapping forge.ErrRedirect and nothing goes to the
// other host.
func New(httpClient *http.Client, baseURL, owner, repo, token string, opts ...Option) (*Client, error) {
	if owner == "" || repo == "" || strings.Contains(owner, "/") || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("%w: github: repository %q/%q: want an owner and a name", forge.ErrInvalid, owner, repo)
	}
	g := gh.NewClient(forge.SameHostRedirects(httpClient))
	if token != "" {
		g = g.WithAuthToken(token)
	}
	if baseURL != "" {
		var err error
		if g, err = g.WithEnterpriseURLs(baseURL, baseURL); err != nil {
			return nil, fmt.Errorf("%w: github: base URL: %v", forge.ErrInvalid, err)
		}
	}
	c := &Client{gh: g, owner: owner, repo: repo, wait: ratelimit.New(DefaultMaxRateLimitWait)}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

var _ forge.Forge = (*Client)(nil)

// maxRetries is how many times one call is retried after waiting out a
// rate limit.
const maxRetries = 3

// call runs fn, waiting out rate limits within the context's deadline and
// the client's maximum wait, and turns go-github's errors into
// *forge.APIError. go-github's own pre-emptive rate-limit check is
// bypassed: the waits are decided here alone.
func (c *Client) call(ctx context.Context, fn func(ctx context.Context) (*gh.Response, error)) error {
	ctx = context.WithValue(ctx, gh.BypassRateLimitCheck, true)
	for attempt := 0; ; attempt++ {
		resp, err := fn(ctx)
		if err == nil {
			return nil
		}
		wait, limited := c.rateLimitWait(err)
		if !limited {
			return c.mapError(err, resp)
		}
		if attempt >= maxRetries || !c.wait.Wait(ctx, wait) {
			return c.rateLimited(err)
		}
	}
}

// rateLimitWait says whether err is a rate limit and how long to wait
// for it: until the primary limit's reset (one second more, the reset
// being in whole seconds), or a secondary limit's Retry-After (a minute
// when GitHub gives none, as its documentation asks).
func (c *Client) rateLimitWait(err error) (time.Duration, bool) {
	var rl *gh.RateLimitError
	if errors.As(err, &rl) {
		return max(rl.Rate.Reset.Sub(c.wait.Now())+time.Second, 0), true
	}
	var ab *gh.AbuseRateLimitError
	if errors.As(err, &ab) {
		if ab.RetryAfter != nil {
			return max(*ab.RetryAfter, 0), true
		}
		return time.Minute, true
	}
	return 0, false
}

// rateLimited is the *forge.APIError of a rate limit not waited out.
func (c *Client) rateLimited(err error) error {
	e := &forge.APIError{Forge: "github", Status: http.StatusTooManyRequests, Err: forge.ErrRateLimited}
	var rl *gh.RateLimitError
	var ab *gh.AbuseRateLimitError
	switch {
	case errors.As(err, &rl):
		e.Message = rl.Message
		fillRequest(e, rl.Response)
	case errors.As(err, &ab):
		e.Message = ab.Message
		fillRequest(e, ab.Response)
	}
	return e
}

// mapError turns go-github's error responses, and a redirect refused
// (resp is then the redirect), into *forge.APIError; other errors (the
// network, the context) are returned wrapped.
func (c *Client) mapError(err error, resp *gh.Response) error {
	if errors.Is(err, forge.ErrRedirect) {
		e := &forge.APIError{Forge: "github", Message: "refused: " + redirectDetail(err), Err: forge.ErrRedirect}
		if resp != nil {
			fillRequest(e, resp.Response)
		}
		return e
	}
	var er *gh.ErrorResponse
	if errors.As(err, &er) {
		e := &forge.APIError{Forge: "github", Message: er.Message}
		fillRequest(e, er.Response)
		e.Err = forge.ErrorFor(e.Status)
		for _, d := range er.Errors {
			if d.Code != "" {
				e.Message += fmt.Sprintf(" (%s %s %s)", d.Resource, d.Field, d.Code)
			}
		}
		return e
	}
	var tf *gh.TwoFactorAuthError
	if errors.As(err, &tf) {
		e := &forge.APIError{Forge: "github", Message: tf.Message, Err: forge.ErrUnauthorized}
		fillRequest(e, tf.Response)
		return e
	}
	return fmt.Errorf("forge: github: %w", err)
}

// redirectDetail is what the refusal of a redirect says after
// forge.ErrRedirect's own text: where from and where to.
func redirectDetail(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if s, ok := strings.CutPrefix(e.Error(), forge.ErrRedirect.Error()+": "); ok {
			return s
		}
	}
	return forge.ErrRedirect.Error()
}

func fillRequest(e *forge.APIError, resp *http.Response) {
	if resp == nil {
		return
	}
	if e.Status == 0 {
		e.Status = resp.StatusCode
	}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.Path = resp.Request.URL.Path
	}
}

// isStatus says whether err is a *forge.APIError of the HTTP status.
func isStatus(err error, status int) bool {
	var e *forge.APIError
	return errors.As(err, &e) && e.Status == status
}

// perPage is the page size of every list: GitHub's largest.
const perPage = 100

// all calls list for every page, from the first, and returns the items of
// all pages in order. A next page that is not after the current one, or
// past forge.MaxPages, is an error wrapping forge.ErrUnavailable.
func all[T any](ctx context.Context, c *Client, list func(ctx context.Context, o gh.ListOptions) ([]T, *gh.Response, error)) ([]T, error) {
	var out []T
	o := gh.ListOptions{PerPage: perPage, Page: 1}
	for {
		var resp *gh.Response
		err := c.call(ctx, func(ctx context.Context) (*gh.Response, error) {
			items, r, err := list(ctx, o)
			if err == nil {
				out = append(out, items...)
			}
			resp = r
			return r, err
		})
		if err != nil {
			return nil, err
		}
		if resp == nil || resp.NextPage == 0 {
			return out, nil
		}
		if resp.NextPage <= o.Page || resp.NextPage > forge.MaxPages {
			return nil, &forge.APIError{Forge: "github", Path: pathOf(resp), Message: forge.PaginationMessage, Err: forge.ErrUnavailable}
		}
		o.Page = resp.NextPage
	}
}

// pathOf is the path resp answered, "" when unknown.
func pathOf(resp *gh.Response) string {
	if resp == nil || resp.Response == nil || resp.Request == nil || resp.Request.URL == nil {
		return ""
	}
	return resp.Request.URL.Path
}
