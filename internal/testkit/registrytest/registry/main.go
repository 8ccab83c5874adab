// Command registry is the registry of distribution v3.1.2
// (github.com/distribution/distribution/v3, the CNCF reference
// implementation of the OCI distribution specification) with one repository
// middleware added through distribution's middleware registration API:
// "releasekit-preconditions", which evaluates the RFC 7232 preconditions
// If-Match and If-None-Match of a manifest PUT to a tag, atomically per
// repository and tag, as proposed for the OCI distribution specification
// in opencontainers/distribution-spec pull request #251 ("Document
// Conditional Requests"). distribution v3.1.2 itself honours
// If-None-Match only on GET and moves a tag to whatever was PUT last.
//
// The middleware acts only when a configuration names it:
//
//	middleware:
//	  repository:
//	    - name: releasekit-preconditions
//
// A manifest PUT to a tag that carries If-Match or If-None-Match is
// evaluated under a lock held per repository and tag, across the check,
// the manifest write and the tag update: If-Match: * needs the tag to
// exist, If-Match: "<digest>" needs it to point at one of the digests
// listed, If-None-Match: * needs it not to exist and If-None-Match:
// "<digest>" needs it to point elsewhere (RFC 7232 §3.1, §3.2; If-Match
// first, §6). A failed precondition is answered 412 Precondition Failed
// with the error code PRECONDITION_FAILED, and neither the manifest nor the
// tag is written. Unconditional tag updates take the same lock, so a check
// never interleaves with another write of the same tag. The lock is the
// process's: run one registry process per storage, as the tests do.
//
// internal/testkit/registrytest starts it on 127.0.0.1 for the tests of
// package ocistore; .ci/run builds it once and caches the binary. It is a
// module of its own so that distribution's dependencies stay out of
// releasekit's go.mod.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/distribution/distribution/v3"
	"github.com/distribution/distribution/v3/registry"
	"github.com/distribution/distribution/v3/registry/api/errcode"
	repositorymiddleware "github.com/distribution/distribution/v3/registry/middleware/repository"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// middlewareName is the name a configuration gives the middleware.
const middlewareName = "releasekit-preconditions"

func main() {
	errPrecondition := errcode.Register("releasekit", errcode.ErrorDescriptor{
		Value:          "PRECONDITION_FAILED",
		Message:        "precondition failed",
		Description:    "An If-Match or If-None-Match precondition of the request does not hold for the tag's current manifest (RFC 7232, distribution-spec PR #251).",
		HTTPStatusCode: http.StatusPreconditionFailed,
	})
	p := &preconditions{failed: errPrecondition}
	if err := repositorymiddleware.Register(middlewareName, p.wrap); err != nil {
		fmt.Fprintln(os.Stderr, "registry:", err)
		os.Exit(1)
	}
	// RootCmd exits the process with a non-zero status when a command fails.
	registry.RootCmd.Execute() //nolint:errcheck
}

// preconditions holds the per-tag locks of the whole process, shared by the
// repository values distribution creates for each request.
type preconditions struct {
	failed errcode.ErrorCode
	locks  sync.Map // "repository:tag" → *sync.Mutex
	done   sync.Map // *http.Request → struct{}: tagged already, under the lock
}

func (p *preconditions) lock(repo, tag string) func() {
	m, _ := p.locks.LoadOrStore(repo+":"+tag, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

func (p *preconditions) wrap(ctx context.Context, r distribution.Repository, options map[string]any) (distribution.Repository, error) {
	return &repository{Repository: r, p: p}, nil
}

type repository struct {
	distribution.Repository
	p *preconditions
}

func (r *repository) Manifests(ctx context.Context, options ...distribution.ManifestServiceOption) (distribution.ManifestService, error) {
	ms, err := r.Repository.Manifests(ctx, options...)
	if err != nil {
		return nil, err
	}
	return &manifests{ManifestService: ms, r: r}, nil
}

func (r *repository) Tags(ctx context.Context) distribution.TagService {
	return &tags{TagService: r.Repository.Tags(ctx), r: r}
}

// request returns the HTTP request distribution put on ctx.
func request(ctx context.Context) *http.Request {
	req, _ := ctx.Value("http.request").(*http.Request)
	return req
}

func conditional(req *http.Request) bool {
	return req != nil && (len(req.Header.Values("If-Match")) > 0 || len(req.Header.Values("If-None-Match")) > 0)
}

type manifests struct {
	distribution.ManifestService
	r *repository
}

// Put evaluates the preconditions of a PUT to a tag and, when they hold,
// writes the manifest and moves the tag, all under the tag's lock.
func (m *manifests) Put(ctx context.Context, mf distribution.Manifest, options ...distribution.ManifestServiceOption) (digest.Digest, error) {
	tag := ""
	for _, o := range options {
		if t, ok := o.(distribution.WithTagOption); ok {
			tag = t.Tag
		}
	}
	req := request(ctx)
	if tag == "" || !conditional(req) {
		return m.ManifestService.Put(ctx, mf, options...)
	}
	name := m.r.Named().Name()
	unlock := m.r.p.lock(name, tag)
	defer unlock()
	ts := m.r.Repository.Tags(ctx)
	exists := true
	cur, err := ts.Get(ctx, tag)
	if err != nil {
		var unknown distribution.ErrTagUnknown
		if !errors.As(err, &unknown) {
			return "", err
		}
		exists = false
	}
	if !holds(req.Header, exists, cur.Digest) {
		return "", m.r.p.failed.WithDetail(fmt.Sprintf("tag %s of %s is at %q", tag, name, cur.Digest))
	}
	d, err := m.ManifestService.Put(ctx, mf, options...)
	if err != nil {
		return "", err
	}
	mt, payload, err := mf.Payload()
	if err != nil {
		return "", err
	}
	if err := ts.Tag(ctx, tag, v1.Descriptor{MediaType: mt, Digest: d, Size: int64(len(payload))}); err != nil {
		return "", err
	}
	m.r.p.done.Store(req, struct{}{})
	return d, nil
}

type tags struct {
	distribution.TagService
	r *repository
}

// Tag moves tag under its lock, unless Put moved it already for this
// request (the manifest handler tags after a successful Put).
func (t *tags) Tag(ctx context.Context, tag string, desc v1.Descriptor) error {
	if req := request(ctx); req != nil {
		if _, ok := t.r.p.done.LoadAndDelete(req); ok {
			return nil
		}
	}
	unlock := t.r.p.lock(t.r.Named().Name(), tag)
	defer unlock()
	return t.TagService.Tag(ctx, tag, desc)
}

// Untag removes tag under its lock.
func (t *tags) Untag(ctx context.Context, tag string) error {
	unlock := t.r.p.lock(t.r.Named().Name(), tag)
	defer unlock()
	return t.TagService.Untag(ctx, tag)
}

// holds evaluates If-Match, then If-None-Match (RFC 7232 §6) against the
// tag's state: whether it exists and the digest it points at.
func holds(h http.Header, exists bool, cur digest.Digest) bool {
	if vs := h.Values("If-Match"); len(vs) > 0 {
		return exists && matches(vs, cur)
	}
	if vs := h.Values("If-None-Match"); len(vs) > 0 {
		return !exists || !matches(vs, cur)
	}
	return true
}

// matches reports whether the entity-tag list vs (field values, each a
// comma-separated list) holds "*" or the quoted digest cur. A weak tag
// (W/"...") never matches: RFC 7232 §3.1 and §3.2 use the strong
// comparison for PUT.
func matches(vs []string, cur digest.Digest) bool {
	for _, v := range vs {
		for _, e := range strings.Split(v, ",") {
			e = strings.TrimSpace(e)
			if e == "*" || e == `"`+cur.String()+`"` {
				return true
			}
		}
	}
	return false
}
