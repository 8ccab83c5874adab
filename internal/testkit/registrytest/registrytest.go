// Package registrytest starts a real OCI registry on 127.0.0.1 for tests:
// distribution v3.1.2's registry (the reference implementation of the OCI
// distribution specification), built from the module in registry/ with a
// repository middleware that enforces the RFC 7232 preconditions of tag
// updates (OCI distribution-spec pull request #251; see registry/main.go).
// Storage is the filesystem driver in the test's temporary directory;
// nothing else is enabled (no auth, no TLS, deletes off).
//
// The registry binary is found at $RELEASEKIT_REGISTRY_BIN, else at
// ${XDG_CACHE_HOME:-$HOME/.cache}/releasekit/registry/registry, where
// .ci/run builds and caches it (with `discover`, the independent
// referrers client, beside it). When it is missing a test is skipped, and
// fails under CI=true: CI never skips the registry tests.
//
// Build it by hand with:
//
//	cd internal/testkit/registrytest/registry && go build -o ~/.cache/releasekit/registry/ . ./discover
package registrytest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/releasekit/releasekit/internal/testkit/logtail"
)

// EnvBinary names the registry binary.
const EnvBinary = "RELEASEKIT_REGISTRY_BIN"

// A Registry is a registry process listening on 127.0.0.1.
type Registry struct {
	// Host is "127.0.0.1:PORT".
	Host string
	// Root is the directory of its filesystem storage.
	Root string

	cmd  *exec.Cmd
	logs *logtail.Tail
}

// An Option changes the registry started.
type Option func(*options)

type options struct{ preconditions bool }

// WithoutPreconditions starts the registry as distribution ships it: tag
// updates are last-writer-wins and their preconditions are ignored.
func WithoutPreconditions() Option { return func(o *options) { o.preconditions = false } }

// Binary returns the path of the registry binary, skipping t (failing it
// under CI=true) when there is none.
func Binary(t testing.TB) string {
	t.Helper()
	p := os.Getenv(EnvBinary)
	if p == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				missing(t, "no "+EnvBinary+" and no home directory")
				return ""
			}
			cache = filepath.Join(home, ".cache")
		}
		p = filepath.Join(cache, "releasekit", "registry", "registry")
	}
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		missing(t, fmt.Sprintf("registry binary %s: %v (build it with scripts/build-registry and set %s, or run ./scripts/test)", p, err, EnvBinary))
	}
	return p
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// DiscoverBinary returns the path of `discover`, the referrers client
// built with go-containerregistry beside the registry binary.
func DiscoverBinary(t testing.TB) string {
	t.Helper()
	p := filepath.Join(filepath.Dir(Binary(t)), "discover")
	if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
		missing(t, fmt.Sprintf("discover binary %s: %v", p, err))
	}
	return p
}

const configTemplate = `version: 0.1
log:
  level: info
  formatter: text
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %q
  delete:
    enabled: false
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:0
  secret: releasekit-registrytest
%s`

const middleware = `middleware:
  repository:
    - name: releasekit-preconditions
`

var listening = regexp.MustCompile(`listening on (127\.0\.0\.1:[0-9]+)`)

// Start starts a registry with empty storage in t.TempDir() and stops it
// when t ends. It returns once the registry answers GET /v2/.
func Start(t testing.TB, opts ...Option) *Registry {
	t.Helper()
	o := options{preconditions: true}
	for _, f := range opts {
		f(&o)
	}
	bin := Binary(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "storage")
	mw := ""
	if o.preconditions {
		mw = middleware
	}
	cfg := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, configTemplate, root, mw), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", cfg)
	cmd.Env = append(os.Environ(), "OTEL_TRACES_EXPORTER=none", "OTEL_SDK_DISABLED=true")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatalf("start registry: %v", err)
	}
	r := &Registry{Root: root, cmd: cmd, logs: &logtail.Tail{Max: 200}}
	t.Cleanup(r.stop)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			r.logs.Add(line)
			if m := listening.FindStringSubmatch(line); m != nil && !sent {
				addr <- m[1]
				sent = true
			}
		}
		io.Copy(io.Discard, stderr)
		if !sent {
			close(addr)
		}
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("registry exited before listening:\n%s", r.logs)
		}
		r.Host = a
	case <-time.After(60 * time.Second):
		t.Fatalf("registry not listening after 60s:\n%s", r.logs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.Host+"/v2/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("registry on %s: %v\n%s", r.Host, err, r.logs)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("registry on %s: GET /v2/ answered %d", r.Host, resp.StatusCode)
	}
	return r
}

// stop ends the registry: SIGTERM, then SIGKILL after 10 seconds.
func (r *Registry) stop() {
	if r.cmd.Process == nil {
		return
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { r.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-done
	}
}

// Repo returns the reference of repository name: "127.0.0.1:PORT/name".
func (r *Registry) Repo(name string) string { return r.Host + "/" + name }

// BlobPath returns the file that holds the blob digest ("sha256:…") in the
// registry's storage, to tamper with it.
func (r *Registry) BlobPath(digest string) string {
	hex := strings.TrimPrefix(digest, "sha256:")
	return filepath.Join(r.Root, "docker", "registry", "v2", "blobs", "sha256", hex[:2], hex, "data")
}

// Logs returns the registry's last lines of log.
func (r *Registry) Logs() string { return r.logs.String() }

// A Referrer is what `discover` lists: a manifest's referrers as
// go-containerregistry's remote.Referrers gives them.
type Referrer struct {
	Digest       string            `json:"digest"`
	MediaType    string            `json:"mediaType"`
	ArtifactType string            `json:"artifactType"`
	Size         int64             `json:"size"`
	Annotations  map[string]string `json:"annotations"`
}

// Discover lists the referrers of subject (a digest) in repo
// ("host:port/name") with go-containerregistry, the client cosign uses,
// run as its own process: an independent check that the referrers are
// discoverable. artifactType filters when not empty.
func Discover(t testing.TB, repo, subject, artifactType string) []Referrer {
	t.Helper()
	bin := DiscoverBinary(t)
	args := []string{repo + "@" + subject}
	if artifactType != "" {
		args = append(args, artifactType)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("discover %s: %v\n%s", args, err, errb.String())
	}
	var rs []Referrer
	if err := json.Unmarshal(out.Bytes(), &rs); err != nil {
		t.Fatalf("discover %s: %v\n%s", args, err, out.String())
	}
	return rs
}
