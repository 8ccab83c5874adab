package ocistore_test

import (
	"fmt"
	"io"
	"math/bits"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/ocistore"
)

// counter counts the requests a store sends and the bytes it sends and
// reads: the work an append does, whatever the clock says.
type counter struct {
	requests, up, down atomic.Int64
}

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.requests.Add(1)
	if req.ContentLength > 0 {
		c.up.Add(req.ContentLength)
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &countingBody{ReadCloser: resp.Body, n: &c.down}
	return resp, nil
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

type cost struct{ requests, up, down int64 }

func (c *counter) snapshot() cost { return cost{c.requests.Load(), c.up.Load(), c.down.Load()} }

func (a cost) minus(b cost) cost { return cost{a.requests - b.requests, a.up - b.up, a.down - b.down} }

// TestAppendCost counts what one append costs to a store opened afresh (a
// new CI job, nothing cached, the precondition probe included): it never
// reads the log, only the head and O(log N) pages, and writes O(log N)
// small blobs. It is checked on both sides of the sizes where pages of
// 32 items fill and are sealed, on one and two levels.
func TestAppendCost(t *testing.T) {
	st, reg := open(t, "releases/log")
	c := &counter{}
	measure := map[int]bool{0: true, 1: true, 30: true, 31: true, 32: true, 63: true, 64: true, 255: true, 256: true}
	for n := range 257 {
		if !measure[n] {
			_, err := st.Append(t.Context(), note(fmt.Sprint("entry ", n)))
			require.NoError(t, err)
			continue
		}
		fresh, err := ocistore.Open(t.Context(), reg.Repo("releases/log"), ocistore.WithHTTPClient(&http.Client{Transport: c}))
		require.NoError(t, err)
		before := c.snapshot()
		_, err = fresh.Append(t.Context(), note(fmt.Sprint("entry ", n)))
		require.NoError(t, err)
		got := c.snapshot().minus(before)
		levels := int64(bits.Len64(uint64(n + 1)))
		t.Logf("append %d: %d requests, %d bytes written, %d read", n+1, got.requests, got.up, got.down)
		// The probe and the head; then, per tree level, at most a page read,
		// a page written and, when it fills, its seal and the page above.
		const page, headMax, fixed = 32 * 40, 16 << 10, 12
		require.LessOrEqual(t, got.requests, fixed+6*(levels+2), "append %d: requests", n+1)
		require.LessOrEqual(t, got.down, headMax+page*(levels+2)*2, "append %d: bytes read", n+1)
		require.LessOrEqual(t, got.up, 2*headMax+page*(levels+2)*3, "append %d: bytes written", n+1)
	}
}
