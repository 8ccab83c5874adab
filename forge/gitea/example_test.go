package gitea_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/forge/gitea"
)

// Gitea has no deployments API: a deployment status is the commit status
// "deploy/<environment>" of the commit the ref names. A stand-in for
// Gitea on 127.0.0.1 prints the calls.
func ExampleForge_SetDeploymentStatus() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(strings.TrimSpace(r.Method + " " + r.URL.Path + " " + string(body)))
		if r.Method == http.MethodGet {
			fmt.Fprint(w, `{"sha":"3f1c2a0b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a"}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":1}`)
	}))
	defer srv.Close()
	f, err := gitea.New(srv.URL, "shop", "magento", "token-from-the-environment")
	if err != nil {
		fmt.Println(err)
		return
	}
	err = f.SetDeploymentStatus(context.Background(), forge.DeploymentStatus{Ref: "v1.3.0", Environment: "production", State: forge.DeployInProgress, Description: "rolling out"})
	fmt.Println(err)
	// Output:
	// GET /api/v1/repos/shop/magento/git/commits/v1.3.0
	// POST /api/v1/repos/shop/magento/statuses/3f1c2a0b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a {"state":"pending","target_url":"","description":"in progress: rolling out","context":"deploy/production"}
	// <nil>
}

// A rate limit that asks for a wait beyond the maximum is returned at
// once: here a proxy asks for an hour, and the call waits at most a
// minute.
func ExampleWithMaxRateLimitWait() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"slow down"}`)
	}))
	defer srv.Close()
	f, err := gitea.New(srv.URL, "shop", "magento", "token-from-the-environment", gitea.WithMaxRateLimitWait(time.Minute))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = f.Comment(context.Background(), 3, "released")
	fmt.Println(errors.Is(err, forge.ErrRateLimited))
	// Output:
	// true
}
