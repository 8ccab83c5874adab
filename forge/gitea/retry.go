package gitea

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/releasekit/releasekit/internal/ratelimit"
)

// retryTransport waits out rate limits. Gitea does not limit API calls
// itself, but a proxy in front of it may: a 429 or a 503 with a
// Retry-After header is retried after the time asked (1s, 2s, 4s when it
// asks none), at most four times, when the wait fits: within the
// client's maximum wait ([WithMaxRateLimitWait]) and before the
// request's context deadline. Otherwise the answer goes to the caller at
// once, which reports a 429 as forge.ErrRateLimited.
type retryTransport struct {
	base http.RoundTripper
	wait ratelimit.Waiter
}

const maxRetries = 4

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		resp, err := t.base.RoundTrip(req)
		if err != nil || attempt == maxRetries {
			return resp, err
		}
		retryAfter := resp.Header.Get("Retry-After")
		if resp.StatusCode != http.StatusTooManyRequests && !(resp.StatusCode == http.StatusServiceUnavailable && retryAfter != "") {
			return resp, nil
		}
		wait := time.Duration(1<<attempt) * time.Second
		if s, err := strconv.Atoi(retryAfter); err == nil && s >= 0 {
			wait = time.Duration(s) * time.Second
		} else if at, err := http.ParseTime(retryAfter); err == nil {
			wait = max(at.Sub(t.wait.Now()), 0)
		}
		if !t.wait.Fits(ctx, wait) {
			return resp, nil
		}
		next := req.Clone(ctx)
		if req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return resp, nil // the body cannot be sent again
			}
			if next.Body, err = req.GetBody(); err != nil {
				return resp, nil
			}
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		if err := t.wait.Sleep(ctx, wait); err != nil {
			return nil, err
		}
		req = next
	}
}
