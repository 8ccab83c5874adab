package ocistore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/registrytest"
	"github.com/releasekit/releasekit/ocistore"
)

// existenceOnly is a registry front that evaluates the preconditions of a
// tag update only against the tag's existence: If-Match fails on a
// missing tag and If-None-Match: * on an existing one, but If-Match on an
// existing tag is let through whatever digest it names (a broken proxy,
// or a registry that implements only half of RFC 7232). It is in front of
// a real registry that ignores the preconditions.
func existenceOnly(t *testing.T, reg *registrytest.Registry) string {
	t.Helper()
	target, err := url.Parse("http://" + reg.Host)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var mu sync.Mutex // per front: the check and the update do not interleave
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ifMatch, ifNone := r.Header.Get("If-Match"), r.Header.Get("If-None-Match")
		if r.Method != http.MethodPut || !strings.Contains(r.URL.Path, "/manifests/") || (ifMatch == "" && ifNone == "") {
			proxy.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		head, err := http.Head("http://" + reg.Host + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		head.Body.Close()
		exists := head.StatusCode == http.StatusOK
		if (ifMatch != "" && !exists) || (ifNone == "*" && exists) {
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		r.Header.Del("If-Match")
		r.Header.Del("If-None-Match")
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestProbeExistenceOnly: a registry that refuses If-Match on a missing
// tag but ignores it on an existing one would lose concurrent writers'
// entries; the probe must not take it for one that enforces the
// preconditions.
func TestProbeExistenceOnly(t *testing.T) {
	reg := registrytest.Start(t, registrytest.WithoutPreconditions())
	front := existenceOnly(t, reg)
	st, err := ocistore.Open(t.Context(), front+"/releases/log")
	require.NoError(t, err)
	enforced, err := st.Enforced(t.Context())
	require.NoError(t, err)
	assert.False(t, enforced, "If-Match is ignored on an existing tag")
	_, err = st.Append(t.Context(), note("first"))
	require.ErrorIs(t, err, ocistore.ErrUnsupported)

	// A store opened afresh probes again, with the probe tag now there.
	st, err = ocistore.Open(t.Context(), front+"/releases/log")
	require.NoError(t, err)
	_, err = st.Append(t.Context(), note("first"))
	require.ErrorIs(t, err, ocistore.ErrUnsupported)
}

// TestProbeEnforced: on the registry that enforces the preconditions the
// probe says so for every store, the first one and those opened after it
// (with the probe tag in place).
func TestProbeEnforced(t *testing.T) {
	_, reg := open(t, "releases/log")
	for i := range 3 {
		st, err := ocistore.Open(t.Context(), reg.Repo("releases/log"))
		require.NoError(t, err)
		enforced, err := st.Enforced(t.Context())
		require.NoError(t, err)
		require.True(t, enforced, "store %d", i)
		_, err = st.Append(t.Context(), note(fmt.Sprint("entry ", i)))
		require.NoError(t, err)
	}
}
