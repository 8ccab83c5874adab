package ocistore_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/releasekit/releasekit/internal/testkit/registrytest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/ocistore"
	"github.com/releasekit/releasekit/tlog"
)

// BenchmarkAppend appends to a log on a real registry on 127.0.0.1 at a
// few sizes (the log grows from one size to the next), with one store
// (its page cache warm), and reports the requests and bytes of an append
// besides its time, and those of an inclusion proof read from the store.
//
//	go test ./ocistore -run '^$' -bench Append -benchtime 100x
func BenchmarkAppend(b *testing.B) {
	reg := registrytest.Start(b)
	c := &counter{}
	st, err := ocistore.Open(b.Context(), reg.Repo("releases/log"), ocistore.WithHTTPClient(&http.Client{Transport: c}))
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, size := range []int{100, 1000, 4000} {
		for ; n < size; n++ {
			if _, err := st.Append(b.Context(), manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprint("fill ", n)}); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprint("size=", size), func(b *testing.B) {
			before := c.snapshot()
			for b.Loop() {
				if _, err := st.Append(b.Context(), manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprint("entry ", n)}); err != nil {
					b.Fatal(err)
				}
				n++
			}
			got := c.snapshot().minus(before)
			b.ReportMetric(float64(got.requests)/float64(b.N), "requests/op")
			b.ReportMetric(float64(got.up)/float64(b.N), "B-written/op")
			b.ReportMetric(float64(got.down)/float64(b.N), "B-read/op")
		})
		b.Run(fmt.Sprint("prove/size=", size), func(b *testing.B) {
			fresh, err := ocistore.Open(b.Context(), reg.Repo("releases/log"), ocistore.WithHTTPClient(&http.Client{Transport: c}))
			if err != nil {
				b.Fatal(err)
			}
			before := c.snapshot()
			for b.Loop() {
				tr, err := fresh.Tree(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				e, err := fresh.Entry(b.Context(), tr.Size/2)
				if err != nil {
					b.Fatal(err)
				}
				leaf, _ := manifest.LeafData(e)
				p, err := tlog.InclusionProof(b.Context(), fresh, tr.Size/2-1, tr.Size)
				if err != nil {
					b.Fatal(err)
				}
				root, _ := tr.Root()
				if err := tlog.VerifyInclusion(tr.Size/2-1, tr.Size, tlog.LeafHash(leaf), p, root); err != nil {
					b.Fatal(err)
				}
			}
			got := c.snapshot().minus(before)
			b.ReportMetric(float64(got.requests)/float64(b.N), "requests/op")
			b.ReportMetric(float64(got.down)/float64(b.N), "B-read/op")
		})
	}
}
