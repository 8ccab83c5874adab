package ocistore_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/ocistore"
)

// TestOutcomeUnknown: when the head's update reaches the registry but its
// answer is lost (the connection drops), Append says the outcome is
// unknown and does not send it again: the entry is in the log once.
func TestOutcomeUnknown(t *testing.T) {
	_, reg := open(t, "releases/log")
	target, err := url.Parse("http://" + reg.Host)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var drop atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/manifests/"+ocistore.LogTag) && drop.Load() {
			proxy.ServeHTTP(httptest.NewRecorder(), r) // the registry applies it
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // and the answer is lost
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	st, err := ocistore.Open(t.Context(), strings.TrimPrefix(srv.URL, "http://")+"/releases/log")
	require.NoError(t, err)
	_, err = st.Append(t.Context(), note("first"))
	require.NoError(t, err)
	drop.Store(true)
	_, err = st.Append(t.Context(), note("second"))
	require.ErrorIs(t, err, ocistore.ErrOutcomeUnknown)
	drop.Store(false)
	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	assert.Equal(t, "second", entries[1].Note)
}
