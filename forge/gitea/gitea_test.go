package gitea_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/forge/gitea"
)

// TestRateLimited: a 429 is retried after Retry-After with the same body;
// one that would outlast the context's deadline is ErrRateLimited.
func TestRateLimited(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	wait := "0"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		bodies = append(bodies, string(b))
		if len(bodies)%2 == 1 {
			w.Header().Set("Retry-After", wait)
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"slow down"}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":7,"html_url":"http://gitea/shop/magento/pulls/3#issuecomment-7"}`)
	}))
	defer srv.Close()
	f, err := gitea.New(srv.URL, "shop", "magento", "tok")
	require.NoError(t, err)
	c, err := f.Comment(t.Context(), 3, "released")
	require.NoError(t, err)
	assert.Equal(t, int64(7), c.ID)
	require.Len(t, bodies, 2)
	assert.Equal(t, bodies[0], bodies[1], "the body is sent again")

	wait = "3600"
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err = f.Comment(ctx, 3, "released")
	assert.ErrorIs(t, err, forge.ErrRateLimited)
}

// TestPages: lists are read page by page, following Link headers.
func TestPages(t *testing.T) {
	labels := []map[string]any{{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "autorelease: pending"}}
	var replaced []int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "GET" && r.URL.Path == "/api/v1/repos/shop/magento/labels":
			page, _ := strconv.Atoi(r.URL.Query().Get("page"))
			limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
			require.Equal(t, 1, limit)
			if page < len(labels) {
				w.Header().Set("Link", fmt.Sprintf(`<%s/api/v1/repos/shop/magento/labels?limit=1&page=%d>; rel="next"`, "http://"+r.Host, page+1))
			}
			if page > len(labels) {
				fmt.Fprint(w, `[]`)
				return
			}
			json.NewEncoder(w).Encode(labels[page-1 : page])
		case r.Method == "PUT" && r.URL.Path == "/api/v1/repos/shop/magento/issues/4/labels":
			var body struct{ Labels []int64 }
			json.NewDecoder(r.Body).Decode(&body)
			replaced = body.Labels
			fmt.Fprint(w, `[]`)
		default:
			http.Error(w, `{"message":"no"}`, http.StatusNotFound)
		}
	}))
	defer srv.Close()
	f, err := gitea.New(srv.URL, "shop", "magento", "tok", gitea.WithPageSize(1))
	require.NoError(t, err)
	require.NoError(t, f.SetLabels(t.Context(), 4, []string{"autorelease: pending", "a"}))
	assert.Equal(t, []int64{3, 1}, replaced)
}

// TestPagesBounded: a server that answers full pages forever (no Link
// header) is not read forever: past forge.MaxPages the list is refused.
func TestPagesBounded(t *testing.T) {
	var n int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		if r.URL.Path == "/api/v1/repos/shop/magento/labels" {
			fmt.Fprint(w, `[{"id":1,"name":"a"}]`)
			return
		}
		http.Error(w, `{"message":"no"}`, http.StatusNotFound)
	}))
	defer srv.Close()
	f, err := gitea.New(srv.URL, "shop", "magento", "tok", gitea.WithPageSize(1))
	require.NoError(t, err)
	err = f.SetLabels(t.Context(), 4, []string{"b"})
	assert.ErrorIs(t, err, forge.ErrUnavailable)
	assert.LessOrEqual(t, n, forge.MaxPages, "requests")
}

// TestRateLimitWaitBounded: a Retry-After beyond the maximum wait (an
// hour, or an HTTP date a year away) returns the 429 at once, even with
// no deadline on the context; a wait within it is taken.
func TestRateLimitWaitBounded(t *testing.T) {
	for name, tc := range map[string]struct {
		retryAfter string
		opts       []gitea.Option
		want       int // requests made
	}{
		"an hour":            {"3600", nil, 1},
		"a date a year away": {time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat), nil, 1},
		"beyond a set max":   {"2", []gitea.Option{gitea.WithMaxRateLimitWait(time.Second)}, 1},
		"within a set max":   {"1", []gitea.Option{gitea.WithMaxRateLimitWait(time.Second)}, 2},
	} {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			n := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				n++
				if n > 1 {
					w.WriteHeader(http.StatusCreated)
					fmt.Fprint(w, `{"id":7}`)
					return
				}
				w.Header().Set("Retry-After", tc.retryAfter)
				w.WriteHeader(http.StatusTooManyRequests)
				fmt.Fprint(w, `{"message":"slow down"}`)
			}))
			defer srv.Close()
			opts := append([]gitea.Option{gitea.WithHTTPClient(&http.Client{})}, tc.opts...)
			f, err := gitea.New(srv.URL, "shop", "magento", "tok", opts...)
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() {
				_, err := f.Comment(context.Background(), 3, "released")
				done <- err
			}()
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				t.Fatalf("still waiting after a minute: the wait Retry-After %s asks is not bounded", tc.retryAfter)
			}
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, tc.want, n, "requests")
			if tc.want == 1 {
				assert.ErrorIs(t, err, forge.ErrRateLimited)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

// TestRedirectKeepsTheToken: a redirect to another server (another port
// on 127.0.0.1, to which Go would send the Authorization header the SDK
// sets) is refused before it is followed, with forge.ErrRedirect.
func TestRedirectKeepsTheToken(t *testing.T) {
	var mu sync.Mutex
	var elsewhere []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		elsewhere = append(elsewhere, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		fmt.Fprint(w, `{"number":1,"state":"open","user":{"login":"mallory"}}`)
	}))
	defer other.Close()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer origin.Close()
	hc := origin.Client()
	f, err := gitea.New(origin.URL, "shop", "magento", "SECRET-GITEA-TOKEN", gitea.WithHTTPClient(hc))
	require.NoError(t, err)
	_, err = f.PullRequest(t.Context(), 1)
	require.ErrorIs(t, err, forge.ErrRedirect)
	assert.ErrorIs(t, err, forge.ErrUnavailable)
	_, err = f.Comment(t.Context(), 1, "x")
	require.ErrorIs(t, err, forge.ErrRedirect)
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, elsewhere, "no request reached the other server")
	assert.Nil(t, hc.CheckRedirect, "the client given is not changed")
}

// Gitea records a pushed tag in a queue as a tag-only release row; a
// release created meanwhile meets the row half-way: a 500 on the unique
// key, or a 409 and then no release to read. CreateRelease tries the
// whole idempotent step again, three times at most; a 500 that stays is
// an error (ErrUnavailable), and nothing else is retried.
func TestCreateReleaseRacingTheTagQueue(t *testing.T) {
	for name, c := range map[string]struct {
		posts    []int // the status of each POST releases, in turn
		reread   int   // the status of GET releases/tags after a 409
		want     error
		wantPost int
	}{
		"500, then created":        {posts: []int{500, 201}, wantPost: 2},
		"409, no release, then it": {posts: []int{409, 201}, reread: 404, wantPost: 2},
		"500 three times":          {posts: []int{500, 500, 500}, want: forge.ErrUnavailable, wantPost: 3},
		"422 is not retried":       {posts: []int{422}, want: forge.ErrInvalid, wantPost: 1},
	} {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			posts := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				defer mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				switch {
				case r.URL.Path == "/api/v1/version":
					fmt.Fprint(w, `{"version":"1.27.3"}`)
				case r.Method == "GET" && r.URL.Path == "/api/v1/repos/shop/magento/releases/tags/v1.3.0":
					if posts > 0 && c.reread != 0 {
						w.WriteHeader(c.reread)
					} else {
						w.WriteHeader(http.StatusNotFound)
					}
					fmt.Fprint(w, `{"message":"Not Found"}`)
				case r.Method == "GET" && r.URL.Path == "/api/v1/repos/shop/magento/tags/v1.3.0":
					fmt.Fprint(w, `{"name":"v1.3.0","id":"aaaa"}`)
				case r.Method == "POST" && r.URL.Path == "/api/v1/repos/shop/magento/releases":
					status := c.posts[min(posts, len(c.posts)-1)]
					posts++
					w.WriteHeader(status)
					if status == http.StatusCreated {
						fmt.Fprint(w, `{"id":9,"tag_name":"v1.3.0","html_url":"http://gitea/shop/magento/releases/tag/v1.3.0"}`)
						return
					}
					fmt.Fprint(w, `{"message":"refused"}`)
				default:
					t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
					w.WriteHeader(http.StatusNotImplemented)
				}
			}))
			defer srv.Close()
			f, err := gitea.New(srv.URL, "shop", "magento", "tok")
			require.NoError(t, err)
			rel, err := f.CreateRelease(t.Context(), forge.NewRelease{Tag: "v1.3.0", Notes: "notes"})
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, c.wantPost, posts)
			if c.want != nil {
				assert.ErrorIs(t, err, c.want)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, int64(9), rel.ID)
			assert.False(t, rel.Existed)
		})
	}
}
