package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go/v2"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/internal/ratelimit"
)

// A Client is the [forge.Forge] of one GitLab project. It is safe for
// concurrent use.
type Client struct {
	gl      *gl.Client
	project string // the project's ID or its path ("group/name")
	// wait takes the rate-limit waits (tests replace its clock).
	wait ratelimit.Waiter
	job  bool

	mu   sync.Mutex
	path string   // the project's path_with_namespace, once read
	me   *gl.User // the token's user, once read
}

// An Option changes a setting of [New].
type Option func(*Client)

// DefaultMaxRateLimitWait is how long a call waits at most for a rate
// limit when no [WithMaxRateLimitWait] is given.
const DefaultMaxRateLimitWait = 10 * time.Minute

// WithMaxRateLimitWait sets how long a call waits at most for a rate
// limit (and never past its context's deadline); zero never waits.
func WithMaxRateLimitWait(d time.Duration) Option {
	return func(c *Client) { c.wait.Max = d }
}

// WithJobToken sends the token as a CI job token (JOB-TOKEN, GitLab's
// CI_JOB_TOKEN) instead of a personal, project or group access token.
func WithJobToken() Option {
	return func(c *Client) { c.job = true }
}

// New returns the client of project (its numeric ID or its full path,
// "group/subgroup/name") on GitLab at baseURL ("" for gitlab.com; a
// self-managed instance's URL otherwise, to which "/api/v4/" is added).
// httpClient may be nil (http.DefaultClient's settings). token comes
// from [forge.Token]("gitlab"), never from a command line. client-go's
// own retries are turned off: rate limits are waited out here, within
// the context's deadline.
//
// The calls go through a copy of httpClient that follows redirects only
// to the same scheme, host and port ([forge.SameHostRedirects]): Go
// forwards the PRIVATE-TOKEN and JOB-TOKEN headers client-go sets to
// any host a redirect names, so a redirect elsewhere is refused (an
// error wrapping [forge.ErrRedirect]) before it is followed.
func New(httpClient *http.Client, baseURL, project, token string, opts ...Option) (*Client, error) {
	if project == "" {
		return nil, fmt.Errorf("%w: gitlab: no project", forge.ErrInvalid)
	}
	c := &Client{project: project, wait: ratelimit.New(DefaultMaxRateLimitWait)}
	for _, o := range opts {
		o(c)
	}
	copts := []gl.ClientOptionFunc{gl.WithoutRetries(), gl.WithHTTPClient(forge.SameHostRedirects(httpClient))}
	if baseURL != "" {
		copts = append(copts, gl.WithBaseURL(baseURL))
	}
	var err error
	if c.job {
		c.gl, err = gl.NewJobClient(token, copts...)
	} else {
		c.gl, err = gl.NewClient(token, copts...)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: gitlab: %v", forge.ErrInvalid, err)
	}
	return c, nil
}

var _ forge.Forge = (*Client)(nil)

const maxRetries = 3

// call runs fn with the context, waiting out rate limits (429) within the
// context's deadline and the maximum wait, and turns client-go's errors
// into *forge.APIError.
func (c *Client) call(ctx context.Context, fn func(opt gl.RequestOptionFunc) (*gl.Response, error)) error {
	for attempt := 0; ; attempt++ {
		resp, err := fn(gl.WithContext(ctx))
		if err == nil {
			return nil
		}
		e := mapError(err, resp)
		var ae *forge.APIError
		if !errors.As(e, &ae) || ae.Status != http.StatusTooManyRequests {
			return e
		}
		wait := c.rateLimitWait(resp)
		if attempt >= maxRetries || !c.wait.Wait(ctx, wait) {
			return e
		}
	}
}

// rateLimitWait is how long GitLab asks to wait: Retry-After (seconds),
// else until RateLimit-Reset (epoch seconds), else a minute.
func (c *Client) rateLimitWait(resp *gl.Response) time.Duration {
	if resp != nil && resp.Response != nil {
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if s, err := strconv.ParseInt(resp.Header.Get("RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(s, 0).Sub(c.wait.Now())+time.Second, 0)
		}
	}
	return time.Minute
}

// mapError turns a client-go *ErrorResponse (or its ErrNotFound, which
// client-go returns for a 404) into a *forge.APIError.
func mapError(err error, resp *gl.Response) error {
	if errors.Is(err, gl.ErrNotFound) {
		e := &forge.APIError{Forge: "gitlab", Status: http.StatusNotFound, Message: "Not Found", Err: forge.ErrNotFound}
		if resp != nil && resp.Response != nil && resp.Request != nil {
			e.Method, e.Path = resp.Request.Method, resp.Request.URL.Path
		}
		return e
	}
	var er *gl.ErrorResponse
	if errors.As(err, &er) {
		e := &forge.APIError{Forge: "gitlab", Status: er.StatusCode, Message: er.Message}
		if er.Response != nil {
			e.Status = er.Response.StatusCode
			if er.Response.Request != nil {
				e.Method = er.Response.Request.Method
				e.Path = er.Response.Request.URL.Path
			}
		}
		e.Err = forge.ErrorFor(e.Status)
		return e
	}
	return fmt.Errorf("forge: gitlab: %w", err)
}

func isStatus(err error, status int) bool {
	var e *forge.APIError
	return errors.As(err, &e) && e.Status == status
}

const perPage = 100

// all calls list for every page and returns the items in order. A next
// page that is not after the current one, or past forge.MaxPages, is an
// error wrapping forge.ErrUnavailable.
func all[T any](ctx context.Context, c *Client, list func(o gl.ListOptions, opt gl.RequestOptionFunc) ([]T, *gl.Response, error)) ([]T, error) {
	var out []T
	o := gl.ListOptions{PerPage: perPage, Page: 1}
	for {
		var next int64
		err := c.call(ctx, func(opt gl.RequestOptionFunc) (*gl.Response, error) {
			items, r, err := list(o, opt)
			if err == nil {
				out = append(out, items...)
				if r != nil {
					next = r.NextPage
				}
			}
			return r, err
		})
		if err != nil {
			return nil, err
		}
		if next == 0 {
			return out, nil
		}
		if next <= o.Page || next > forge.MaxPages {
			return nil, &forge.APIError{Forge: "gitlab", Message: forge.PaginationMessage, Err: forge.ErrUnavailable}
		}
		o.Page = next
	}
}
