package ocistore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/credentials"
	"oras.land/oras-go/v2/registry/remote/errcode"

	"github.com/releasekit/releasekit/manifest"
)

// Errors of the store. A missing object is reported with
// manifest.ErrNotFound, a lost compare-and-swap with manifest.ErrConflict,
// and stored bytes that do not hash to their digest with
// manifest.ErrTampered (a *TamperError) or, for evidence,
// manifest.ErrEvidenceDigest, so that code written for any
// [manifest.Store] tells them apart the same way.
var (
	// ErrUnsupported is returned (wrapped, in an *UnsupportedError) when
	// the registry does not do what a call needs: a change that must not
	// lose a concurrent writer's, on a registry that ignores the
	// preconditions of a tag update.
	ErrUnsupported = errors.New("ocistore: registry does not support the operation")
	// ErrTooLarge is returned (wrapped) when a registry's response, or
	// something given to store, is larger than the store reads back.
	ErrTooLarge = errors.New("ocistore: too large")
	// ErrOutcomeUnknown is returned (wrapped) when a tag update was sent
	// and no answer came back (the connection failed): the update may or
	// may not have been applied, and is not retried blindly, because a
	// retried append could log an entry twice. Read the log to know.
	ErrOutcomeUnknown = errors.New("ocistore: outcome of a tag update unknown")
)

// An UnsupportedError says what the registry lacks. It wraps
// [ErrUnsupported].
type UnsupportedError struct {
	Registry string // host[:port]
	Feature  string // "conditional tag updates"
	Detail   string // what the probe saw
}

// Error describes what is missing.
func (e *UnsupportedError) Error() string {
	s := fmt.Sprintf("ocistore: registry %s does not support %s", e.Registry, e.Feature)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns [ErrUnsupported].
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// A TamperError is an object of the store that is not what it should be:
// bytes that do not hash to the digest they are stored under, a log entry
// at the wrong place, a head whose tree disagrees with its nodes. It wraps
// manifest.ErrTampered.
type TamperError struct {
	Object string // what was read: "log entry 12", "head", "page entries/0/3"
	Reason string // a short lower-case phrase
}

// Error describes the object and what is wrong with it.
func (e *TamperError) Error() string {
	return fmt.Sprintf("ocistore: %s tampered: %s", e.Object, e.Reason)
}

// Unwrap returns manifest.ErrTampered.
func (e *TamperError) Unwrap() error { return manifest.ErrTampered }

// A RegistryError is an answer of the registry that the store did not
// expect (a refusal, a server error).
type RegistryError struct {
	Op         string // what the store was doing
	StatusCode int    // the HTTP status, 0 when there was no answer
	Err        error  // the cause
}

// Error describes the operation and the registry's answer.
func (e *RegistryError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("ocistore: %s: registry answered %d: %v", e.Op, e.StatusCode, e.Err)
	}
	return fmt.Sprintf("ocistore: %s: %v", e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *RegistryError) Unwrap() error { return e.Err }

// Bounds of what the store reads from a registry.
const (
	// MaxManifest bounds a manifest or index read (OCI's recommended
	// limit for manifests is 4 MiB).
	MaxManifest = 4 << 20
	// MaxBlob bounds a blob read: a record, a log entry, evidence or an
	// attached artifact, as [manifest.MaxStoredFile] bounds a file of a
	// DirStore.
	MaxBlob = manifest.MaxStoredFile
)

// maxResponse bounds every response body, whatever the request.
const maxResponse = MaxBlob + 64<<10

// A Credential is what the store presents to a registry: a user name and
// password, or a token.
type Credential struct {
	Username     string
	Password     string
	RefreshToken string // an OAuth2 refresh token ("identity token")
	AccessToken  string // a bearer token
}

// An Option changes how [Open] connects and what the store allows.
type Option func(*config)

type config struct {
	dockerConfig   *string
	credential     func(ctx context.Context, host string) (Credential, error)
	httpClient     *http.Client
	plainHTTP      bool
	singleWriter   bool
	referrersAPI   bool
	maxCASAttempts int
}

// WithDockerConfig reads registry credentials from the Docker
// configuration file at path, and the credential helpers it names, with
// oras-go's credentials store. An empty path is Docker's default: the
// config.json in $DOCKER_CONFIG, or in ~/.docker. Credentials are never
// taken from the command line.
func WithDockerConfig(path string) Option {
	return func(c *config) { c.dockerConfig = &path }
}

// WithCredentialFunc makes f give the credential for each registry host
// (host[:port]); an empty Credential is anonymous access.
func WithCredentialFunc(f func(ctx context.Context, host string) (Credential, error)) Option {
	return func(c *config) { c.credential = f }
}

// WithHTTPClient sends requests through h's transport (for a private
// certificate authority, a proxy). The store still bounds every response
// and does not follow h's redirect policy for uploads.
func WithHTTPClient(h *http.Client) Option {
	return func(c *config) { c.httpClient = h }
}

// WithPlainHTTPUnsafe lets the store speak plain HTTP to a registry that is
// not on the loopback interface. Without it only 127.0.0.1, ::1 and
// localhost are reached over plain HTTP and every other host over HTTPS:
// over plain HTTP, credentials and evidence cross the network in clear.
func WithPlainHTTPUnsafe() Option {
	return func(c *config) { c.plainHTTP = true }
}

// WithSingleWriterUnsafe lets the store write to a registry that ignores
// the preconditions of tag updates (see the package documentation). The
// caller then promises that no other writer appends to the log, writes the
// same record or attaches to the same artifact at the same time: two
// concurrent writers would lose one's change. Every head, record and
// referrers index written so is annotated [AnnotationWriter] =
// "single-writer-unsafe", so that an audit sees it.
func WithSingleWriterUnsafe() Option {
	return func(c *config) { c.singleWriter = true }
}

// AnnotationWriter is the annotation set on manifests written with
// [WithSingleWriterUnsafe].
const AnnotationWriter = "org.releasekit.writer"

// A Store keeps release records, the promotion log with its Merkle tree,
// gate evidence and attached artifacts in one repository of an OCI
// registry. It implements [manifest.Store], [manifest.TreeLog] and
// [manifest.EvidenceStore]. It is safe for concurrent use by goroutines,
// and any number of processes and machines may write the same repository
// at once on a registry that enforces conditional tag updates.
type Store struct {
	cfg  config
	ref  registry.Reference // Registry and Repository
	repo *remote.Repository // pushes never index referrers client-side (see attach)
	read *remote.Repository // referrers reads: the API, else the tag schema
	host string

	probeMu sync.Mutex
	probed  bool
	enforce bool  // the registry enforces preconditions
	probeEr error // the probe's failure, kept

	cache pageCache
}

// Open returns the store in the repository named by ref, "host[:port]/path"
// (no tag, no digest). It checks that the registry answers the OCI
// distribution API (GET /v2/) and reads nothing else: a store opened for
// reading needs no push access. Before its first write it probes once
// whether the registry enforces conditional tag updates.
//
// ctx bounds the check; each call of the store takes its own.
func Open(ctx context.Context, ref string, opts ...Option) (*Store, error) {
	cfg := config{maxCASAttempts: 1000}
	for _, o := range opts {
		o(&cfg)
	}
	r, err := registry.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("ocistore: open %q: %w", ref, err)
	}
	if r.Reference != "" {
		return nil, fmt.Errorf("ocistore: open %q: %w: a repository, without tag or digest", ref, errdef.ErrInvalidReference)
	}
	plain := cfg.plainHTTP || loopback(r.Registry)
	base := http.DefaultTransport
	if cfg.httpClient != nil && cfg.httpClient.Transport != nil {
		base = cfg.httpClient.Transport
	}
	hc := &http.Client{Transport: boundedTransport{base}}
	ac := &auth.Client{Client: hc, Cache: auth.NewCache()}
	ac.SetUserAgent("releasekit-ocistore")
	switch {
	case cfg.credential != nil:
		f := cfg.credential
		ac.Credential = func(ctx context.Context, host string) (auth.Credential, error) {
			c, err := f(ctx, host)
			return auth.Credential{Username: c.Username, Password: c.Password, RefreshToken: c.RefreshToken, AccessToken: c.AccessToken}, err
		}
	case cfg.dockerConfig != nil:
		var cs credentials.Store
		if *cfg.dockerConfig == "" {
			cs, err = credentials.NewStoreFromDocker(credentials.StoreOptions{})
		} else {
			cs, err = credentials.NewStore(*cfg.dockerConfig, credentials.StoreOptions{})
		}
		if err != nil {
			return nil, fmt.Errorf("ocistore: open %q: read credentials: %w", ref, err)
		}
		ac.Credential = credentials.Credential(cs)
	}
	client := &exchangeClient{inner: ac}
	newRepo := func() *remote.Repository {
		return &remote.Repository{
			Client:               client,
			Reference:            r,
			PlainHTTP:            plain,
			MaxMetadataBytes:     MaxManifest,
			TagListMaxPages:      100,
			ReferrerListMaxPages: 100,
			ManifestMediaTypes:   []string{ocispec.MediaTypeImageManifest, ocispec.MediaTypeImageIndex},
		}
	}
	s := &Store{cfg: cfg, ref: r, repo: newRepo(), read: newRepo(), host: r.Registry}
	// Pushes go through s.repo, which never indexes referrers on the
	// client side: that update has no compare-and-swap in oras-go, and
	// attach does it itself (see attach.go).
	if err := s.repo.SetReferrersCapability(true); err != nil {
		return nil, err
	}
	if err := s.ping(ctx, plain); err != nil {
		return nil, err
	}
	return s, nil
}

// loopback reports whether host[:port] is on the loopback interface.
func loopback(hostport string) bool {
	h := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		h = hh
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

// ping checks that the registry speaks the distribution API.
func (s *Store) ping(ctx context.Context, plain bool) error {
	scheme := "https"
	if plain {
		scheme = "http"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+s.ref.Host()+"/v2/", nil)
	if err != nil {
		return err
	}
	resp, err := s.repo.Client.Do(req)
	if err != nil {
		return &RegistryError{Op: "ping " + s.host, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &RegistryError{Op: "ping " + s.host, StatusCode: resp.StatusCode, Err: errors.New("not an OCI distribution API")}
	}
	return nil
}

// Repository returns the repository's name, "host[:port]/path".
func (s *Store) Repository() string { return s.ref.Registry + "/" + s.ref.Repository }

// boundedTransport bounds every response body at maxResponse bytes.
type boundedTransport struct{ base http.RoundTripper }

func (t boundedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > maxResponse {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %s %s: %d bytes, at most %d", ErrTooLarge, req.Method, req.URL.Path, resp.ContentLength, int64(maxResponse))
	}
	resp.Body = &boundedBody{rc: resp.Body, left: maxResponse}
	return resp, nil
}

type boundedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, fmt.Errorf("%w: response over %d bytes", ErrTooLarge, int64(maxResponse))
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *boundedBody) Close() error { return b.rc.Close() }

// An exchange, put on a request's context, adds RFC 7232 preconditions to
// the manifest PUT oras-go sends and keeps what the registry answered.
type exchange struct {
	ifMatch     string // an entity-tag, `"sha256:…"`, or ""
	ifNoneMatch string // "*" or ""
	status      int
	header      http.Header
	sent        bool
}

type exchangeKey struct{}

func withExchange(ctx context.Context, x *exchange) context.Context {
	return context.WithValue(ctx, exchangeKey{}, x)
}

// exchangeClient is the remote.Client of the store: it sets the
// preconditions of the exchange on the request's context, if any, on each
// manifest PUT and records the answer.
type exchangeClient struct{ inner remote.Client }

func (c *exchangeClient) Do(req *http.Request) (*http.Response, error) {
	x, _ := req.Context().Value(exchangeKey{}).(*exchange)
	if x == nil || req.Method != http.MethodPut || !strings.Contains(req.URL.Path, "/manifests/") {
		return c.inner.Do(req)
	}
	req = req.Clone(req.Context())
	if x.ifMatch != "" {
		req.Header.Set("If-Match", x.ifMatch)
	}
	if x.ifNoneMatch != "" {
		req.Header.Set("If-None-Match", x.ifNoneMatch)
	}
	x.sent = true
	resp, err := c.inner.Do(req)
	if err != nil {
		return nil, err
	}
	x.status, x.header = resp.StatusCode, resp.Header.Clone()
	return resp, nil
}

// statusOf returns the HTTP status of an oras-go error, or 0.
func statusOf(err error) int {
	var er *errcode.ErrorResponse
	if errors.As(err, &er) {
		return er.StatusCode
	}
	return 0
}

// registryErr turns an oras-go error into the store's: not found into
// manifest.ErrNotFound, the rest into a *RegistryError.
func registryErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, errdef.ErrNotFound) || statusOf(err) == http.StatusNotFound {
		return fmt.Errorf("ocistore: %s: %w", op, manifest.ErrNotFound)
	}
	if errors.Is(err, ErrTooLarge) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("ocistore: %s: %w", op, err)
	}
	var te *TamperError
	if errors.As(err, &te) {
		return err
	}
	return &RegistryError{Op: op, StatusCode: statusOf(err), Err: err}
}

// sha256Digest returns the digest of data.
func sha256Digest(data []byte) digest.Digest { return digest.FromBytes(data) }

// hexOf returns the 64 hex digits of a sha256 digest.
func hexOf(d digest.Digest) string { return d.Encoded() }

// digestOfRaw returns the sha256 digest whose raw bytes are b.
func digestOfRaw(b []byte) digest.Digest {
	return digest.NewDigestFromEncoded(digest.SHA256, hex.EncodeToString(b))
}

// rawOf returns the 32 raw bytes of a sha256 digest.
func rawOf(d digest.Digest) ([]byte, error) {
	if d.Algorithm() != digest.SHA256 {
		return nil, fmt.Errorf("ocistore: digest %s: want sha256", d)
	}
	return hex.DecodeString(d.Encoded())
}

// pushBlob uploads data (an existing blob is not uploaded again).
func (s *Store) pushBlob(ctx context.Context, mediaType string, data []byte) (ocispec.Descriptor, error) {
	d := ocispec.Descriptor{MediaType: mediaType, Digest: sha256Digest(data), Size: int64(len(data))}
	if err := s.repo.Blobs().Push(ctx, d, bytes.NewReader(data)); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
		return d, registryErr("push blob "+d.Digest.String(), err)
	}
	return d, nil
}

// fetchBlob reads the blob d (at most max bytes) and checks its size and
// digest.
func (s *Store) fetchBlob(ctx context.Context, d ocispec.Descriptor, max int64, what string) ([]byte, error) {
	if d.Size < 0 || d.Size > max {
		return nil, fmt.Errorf("ocistore: read %s: %w: %d bytes, at most %d", what, ErrTooLarge, d.Size, max)
	}
	rc, err := s.repo.Blobs().Fetch(ctx, d)
	if err != nil {
		if strings.Contains(err.Error(), "mismatch") {
			return nil, &TamperError{Object: what, Reason: err.Error()}
		}
		return nil, registryErr("read "+what, err)
	}
	defer rc.Close()
	return readChecked(rc, d, what)
}

// readChecked reads exactly d.Size bytes of rc and checks their digest.
func readChecked(rc io.Reader, d ocispec.Descriptor, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(rc, d.Size+1))
	if err != nil {
		return nil, registryErr("read "+what, err)
	}
	if int64(len(b)) != d.Size {
		return nil, &TamperError{Object: what, Reason: fmt.Sprintf("%d bytes, want %d", len(b), d.Size)}
	}
	if got := sha256Digest(b); got != d.Digest {
		return nil, &TamperError{Object: what, Reason: fmt.Sprintf("content hashes to %s, stored as %s", got, d.Digest)}
	}
	return b, nil
}

// fetchManifest reads the manifest named by reference (a tag or a digest)
// and returns its descriptor (the digest the registry gives, checked
// against the bytes) and its bytes.
func (s *Store) fetchManifest(ctx context.Context, reference, what string) (ocispec.Descriptor, []byte, error) {
	d, rc, err := s.repo.FetchReference(ctx, reference)
	if err != nil {
		return d, nil, registryErr("read "+what, err)
	}
	defer rc.Close()
	if d.Size > MaxManifest {
		return d, nil, fmt.Errorf("ocistore: read %s: %w: manifest of %d bytes, at most %d", what, ErrTooLarge, d.Size, MaxManifest)
	}
	b, err := readChecked(rc, d, what)
	if err != nil {
		return d, nil, err
	}
	return d, b, nil
}

// pushManifest pushes a manifest by digest and returns its descriptor and
// whether the registry said it processed its subject (OCI-Subject).
func (s *Store) pushManifest(ctx context.Context, mediaType string, data []byte) (ocispec.Descriptor, bool, error) {
	if len(data) > MaxManifest {
		return ocispec.Descriptor{}, false, fmt.Errorf("ocistore: push manifest: %w: %d bytes, at most %d", ErrTooLarge, len(data), MaxManifest)
	}
	d := ocispec.Descriptor{MediaType: mediaType, Digest: sha256Digest(data), Size: int64(len(data))}
	x := &exchange{}
	if err := s.repo.Manifests().Push(withExchange(ctx, x), d, bytes.NewReader(data)); err != nil {
		return d, false, registryErr("push manifest "+d.Digest.String(), err)
	}
	return d, x.header.Get("OCI-Subject") != "", nil
}

// errPrecondition is a tag update refused with 412: another writer moved
// the tag first.
var errPrecondition = errors.New("ocistore: precondition failed")

// putTag pushes the manifest data and points tag at it, on condition that
// the tag points at old now ("" for: the tag does not exist). It returns
// an error wrapping errPrecondition when the registry refused it with 412.
// Without an answer it returns ErrOutcomeUnknown: the update is not sent
// twice.
func (s *Store) putTag(ctx context.Context, tag string, old digest.Digest, mediaType string, data []byte) (ocispec.Descriptor, error) {
	if len(data) > MaxManifest {
		return ocispec.Descriptor{}, fmt.Errorf("ocistore: update tag %s: %w: manifest of %d bytes, at most %d", tag, ErrTooLarge, len(data), MaxManifest)
	}
	d := ocispec.Descriptor{MediaType: mediaType, Digest: sha256Digest(data), Size: int64(len(data))}
	x := &exchange{}
	if old == "" {
		x.ifNoneMatch = "*"
	} else {
		x.ifMatch = `"` + old.String() + `"`
	}
	err := s.repo.PushReference(withExchange(ctx, x), d, bytes.NewReader(data), tag)
	switch {
	case err == nil:
		return d, nil
	case statusOf(err) == http.StatusPreconditionFailed || x.status == http.StatusPreconditionFailed:
		return d, fmt.Errorf("ocistore: update tag %s: %w", tag, errPrecondition)
	case x.sent && x.status == 0:
		// Sent, and no answer (a broken connection, or ctx ended while
		// waiting): the registry may have applied it.
		return d, fmt.Errorf("ocistore: update tag %s: %w: %w", tag, ErrOutcomeUnknown, err)
	}
	return d, registryErr("update tag "+tag, err)
}

// probeTag is the tag the precondition probe writes to, never with
// success on a registry that enforces preconditions.
const probeTag = "releasekit-precondition-probe"

// canWrite returns nil when the store may update tags: the registry
// enforces preconditions, or the caller chose [WithSingleWriterUnsafe].
// The registry is probed once, on the probe tag, which the probe creates
// with If-None-Match: * if need be: once it exists, a tag update with
// If-None-Match: * and one with If-Match naming a digest the tag cannot
// hold must both be refused with 412.
func (s *Store) canWrite(ctx context.Context) error {
	s.probeMu.Lock()
	defer s.probeMu.Unlock()
	if !s.probed {
		if err := s.probe(ctx); err != nil {
			if ctx.Err() != nil {
				return err // not kept: the next call probes again
			}
			s.probeEr = err
		}
		s.probed = true
	}
	switch {
	case s.probeEr != nil:
		return s.probeEr
	case !s.enforce && !s.cfg.singleWriter:
		return &UnsupportedError{Registry: s.host, Feature: "conditional tag updates", Detail: "a tag update with a failing If-Match precondition was applied (RFC 7232; OCI distribution-spec PR #251); concurrent writers could lose entries"}
	}
	return nil
}

func (s *Store) probe(ctx context.Context) error {
	cfg, err := s.emptyConfig(ctx)
	if err != nil {
		return err
	}
	m := ocispec.Manifest{
		Versioned:    specVersion,
		MediaType:    ocispec.MediaTypeImageManifest,
		ArtifactType: ArtifactTypeProbe,
		Config:       cfg,
		Layers:       []ocispec.Descriptor{cfg},
	}
	data, err := marshalJSON(m)
	if err != nil {
		return err
	}
	// The probe tag must exist for the test to mean anything: a registry
	// may refuse If-Match on a missing tag only because it is missing,
	// and let it through, unchecked, on an existing one. If-None-Match: *
	// creates it once (the same bytes every time); sent again, now that
	// it exists, it must be refused.
	_, err = s.putTag(ctx, probeTag, "", ocispec.MediaTypeImageManifest, data)
	switch {
	case err == nil:
		_, err = s.putTag(ctx, probeTag, "", ocispec.MediaTypeImageManifest, data)
		if err == nil {
			s.enforce = false // If-None-Match: * ignored
			return nil
		}
		if !errors.Is(err, errPrecondition) {
			return err
		}
	case !errors.Is(err, errPrecondition):
		return err
	}
	// The tag exists: If-Match naming a digest it cannot hold must be
	// refused.
	never := digest.Digest("sha256:" + strings.Repeat("0", 64))
	_, err = s.putTag(ctx, probeTag, never, ocispec.MediaTypeImageManifest, data)
	switch {
	case errors.Is(err, errPrecondition):
		s.enforce = true
		return nil
	case err == nil:
		s.enforce = false
		return nil
	}
	return err
}

// Enforced reports whether the registry enforces conditional tag updates,
// probing it (once) if no write has yet. It returns an error only when the
// probe could not be made.
func (s *Store) Enforced(ctx context.Context) (bool, error) {
	err := s.canWrite(ctx)
	var ue *UnsupportedError
	if errors.As(err, &ue) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.enforce, nil
}

// writerAnnotations adds [AnnotationWriter] to a when the store writes
// without enforced preconditions.
func (s *Store) writerAnnotations(a map[string]string) map[string]string {
	if s.enforce {
		return a
	}
	if a == nil {
		a = map[string]string{}
	}
	a[AnnotationWriter] = "single-writer-unsafe"
	return a
}

// pageCache keeps pages (immutable, named by digest) read or written.
type pageCache struct {
	mu sync.Mutex
	m  map[digest.Digest][]byte
}

const maxCachedPages = 8192

func (c *pageCache) get(d digest.Digest) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.m[d]
	return b, ok
}

func (c *pageCache) put(d digest.Digest, b []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedPages {
		c.m = make(map[digest.Digest][]byte)
	}
	c.m[d] = b
}

// tagFor returns a tag for name: prefix + the hex SHA-256 of name, which
// fits the OCI tag grammar whatever name holds.
func tagFor(prefix, name string) string {
	sum := sha256.Sum256([]byte(name))
	return prefix + hex.EncodeToString(sum[:])
}
