package manifest_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// stores lists every Store implementation; each test below runs against all
// of them. open reopens the store at dir (as another process would).
var stores = []struct {
	name string
	init func(t *testing.T, dir string)
	open func(dir string) (manifest.Store, error)
}{
	{"dir", func(*testing.T, string) {}, func(dir string) (manifest.Store, error) { return manifest.NewDirStore(dir) }},
	{"git", func(t *testing.T, dir string) {
		_, err := git.PlainInit(dir, false)
		require.NoError(t, err)
	}, func(dir string) (manifest.Store, error) {
		repo, err := git.PlainOpen(dir)
		if err != nil {
			return nil, err
		}
		return manifest.NewGitStore(repo)
	}},
}

// newDir returns a fresh directory initialised for store s.
func newDir(t *testing.T, i func(*testing.T, string)) string {
	dir := t.TempDir()
	i(t, dir)
	return dir
}

func eachStore(t *testing.T, f func(t *testing.T, dir string, open func(string) (manifest.Store, error))) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) { f(t, newDir(t, s.init), s.open) })
	}
}

func TestStoreRecords(t *testing.T) {
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		ctx := t.Context()
		st, err := open(dir)
		require.NoError(t, err)
		_, err = st.Record(ctx, "v1.0.0")
		assert.ErrorIs(t, err, manifest.ErrNotFound)
		r := completeRecord("v1.0.0", "app")
		require.NoError(t, st.PutRecord(ctx, r))
		got, err := st.Record(ctx, "v1.0.0")
		require.NoError(t, err)
		assert.Equal(t, r.Artifacts, got.Artifacts)

		// Adding fields is fine; changing a published digest is not.
		r.Tickets = append(r.Tickets, "CHG-2")
		require.NoError(t, st.PutRecord(ctx, r))
		r.Artifacts[0].Digest = digestOf("rebuilt")
		assert.ErrorIs(t, st.PutRecord(ctx, r), &manifest.RefusalError{Reason: "artifact digest changed for a published version"})
		got, err = st.Record(ctx, "v1.0.0")
		require.NoError(t, err)
		assert.Equal(t, digestOf("app"), got.Artifacts[0].Digest)
		assert.Equal(t, []string{"CHG-1", "CHG-2"}, got.Tickets)

		for _, bad := range []string{"", "../x", "a/b", ".hidden"} {
			assert.ErrorIs(t, st.PutRecord(ctx, completeRecord(bad, "x")), manifest.ErrInvalidName, bad)
			_, err := st.Record(ctx, bad)
			assert.ErrorIs(t, err, manifest.ErrInvalidName, bad)
		}
	})
}

const (
	helperDirEnv   = "MANIFEST_TEST_STORE_DIR"
	helperStoreEnv = "MANIFEST_TEST_STORE"
	helperModeEnv  = "MANIFEST_TEST_MODE"
	perWriter      = 6
)

// TestHelperProcess is not a test: the concurrency and crash tests run the
// test binary again with it to append from other processes.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	var st manifest.Store
	for _, s := range stores {
		if s.name == os.Getenv(helperStoreEnv) {
			var err error
			st, err = s.open(dir)
			require.NoError(t, err)
		}
	}
	require.NotNil(t, st)
	id := os.Getenv(helperModeEnv)
	for i := 0; id == "crash" || i < perWriter; i++ {
		_, err := st.Append(t.Context(), manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprintf("%s-%d", id, i)})
		require.NoError(t, err)
		fmt.Println("appended", i)
	}
}

func helper(t *testing.T, store, dir, mode string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), helperDirEnv+"="+dir, helperStoreEnv+"="+store, helperModeEnv+"="+mode)
	return cmd
}

func TestStoreConcurrentAppend(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			dir := newDir(t, s.init)
			st, err := s.open(dir)
			require.NoError(t, err)
			var procs []*exec.Cmd
			for p := range 4 {
				cmd := helper(t, s.name, dir, "p"+strconv.Itoa(p))
				require.NoError(t, cmd.Start())
				procs = append(procs, cmd)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for g := range 8 {
				wg.Go(func() {
					st, err := s.open(dir)
					if err != nil {
						errs <- err
						return
					}
					for i := range perWriter {
						if _, err := st.Append(t.Context(), manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprintf("g%d-%d", g, i)}); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			for _, cmd := range procs {
				require.NoError(t, cmd.Wait())
			}
			entries, err := manifest.VerifyStore(t.Context(), st, nil)
			require.NoError(t, err)
			seen := map[string]int{}
			for _, e := range entries {
				seen[e.Note]++
			}
			assert.Len(t, entries, 12*perWriter)
			for w := range 12 {
				name := "g" + strconv.Itoa(w)
				if w >= 8 {
					name = "p" + strconv.Itoa(w-8)
				}
				for i := range perWriter {
					assert.Equal(t, 1, seen[fmt.Sprintf("%s-%d", name, i)], "%s-%d", name, i)
				}
			}
		})
	}
}

func TestStoreCrash(t *testing.T) {
	for _, s := range stores {
		t.Run(s.name, func(t *testing.T) {
			dir := newDir(t, s.init)
			cmd := helper(t, s.name, dir, "crash")
			out, err := cmd.StdoutPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			sc := bufio.NewScanner(out)
			for n := 0; n < 25 && sc.Scan(); {
				if len(sc.Text()) > 8 && sc.Text()[:8] == "appended" {
					n++
				}
			}
			// The writer is appending continuously; kill it wherever it is.
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			_ = cmd.Wait()

			st, err := s.open(dir)
			require.NoError(t, err)
			entries, err := manifest.VerifyStore(t.Context(), st, nil)
			require.NoError(t, err)
			assert.GreaterOrEqual(t, len(entries), 25)
			// A git writer killed while holding the ref lock leaves it, as
			// git does; the operator removes it once no writer runs.
			_ = os.Remove(filepath.Join(dir, ".git", "refs", "releasekit", "log.lock"))
			// The store stays writable after the crash.
			_, err = st.Append(t.Context(), manifest.Entry{Kind: manifest.KindNote, Note: "after"})
			require.NoError(t, err)
			_, err = manifest.VerifyStore(t.Context(), st, nil)
			require.NoError(t, err)
		})
	}
}

// PutRecord refuses to change a published artifact's digest; doing it in two
// writes (drop the artifact, then add it back with another digest) must be
// refused too, or a rebuild is republished under the same version.
func TestRepublishInTwoSteps(t *testing.T) {
	ctx := t.Context()
	st, err := manifest.NewDirStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rec := exampleRecord("v1.0.0", "build-1")
	if err := st.PutRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	dropped := rec
	dropped.Artifacts = []manifest.Artifact{{Name: "other", Digest: manifest.Digest([]byte("other"))}}
	errDrop := st.PutRecord(ctx, dropped)
	rebuilt := rec
	rebuilt.Artifacts = []manifest.Artifact{{Name: "app", Digest: manifest.Digest([]byte("build-2"))}}
	errRebuild := st.PutRecord(ctx, rebuilt)
	if !errors.Is(errDrop, &manifest.RefusalError{Reason: "artifact digest changed for a published version"}) && !errors.Is(errRebuild, &manifest.RefusalError{Reason: "artifact digest changed for a published version"}) {
		got, _ := st.Record(ctx, "v1.0.0")
		t.Fatalf("artifact app republished with another digest: %v", got.Artifacts)
	}
}

// A GitStore's ref reset to an older commit is a consistent, shorter log:
// it verifies on its own, and fails against the later checkpoint.
func TestGitStoreRefRewound(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	st, err := manifest.NewGitStore(repo)
	if err != nil {
		t.Fatal(err)
	}
	var old *plumbing.Reference
	for i := range 3 {
		if _, err := st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprint("n", i)}); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if old, err = repo.Reference(manifest.LogRef, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	entries, err := manifest.VerifyStore(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := manifest.NewCheckpoint(entries)
	if err != nil {
		t.Fatal(err)
	}
	if err := repo.Storer.SetReference(old); err != nil {
		t.Fatal(err)
	}
	if _, err := manifest.VerifyStore(ctx, st, nil); err != nil {
		t.Fatalf("rewound log without checkpoint: %v", err)
	}
	if _, err := manifest.VerifyStore(ctx, st, &cp); !errors.Is(err, manifest.ErrTruncated) {
		t.Fatalf("rewound log against checkpoint: err = %v, want ErrTruncated", err)
	}
}

func TestDirStoreNamesStayInside(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	dir := filepath.Join(root, "store")
	st, err := manifest.NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range []string{"", ".", "..", "../escape", "a/../../escape", "a\\b", "a\x00b", "/abs", ".hidden", "v1\xff", strings.Repeat("v", 300)} {
		r := exampleRecord(tag, "x")
		if err := st.PutRecord(ctx, r); !errors.Is(err, manifest.ErrInvalidName) {
			t.Errorf("PutRecord(%q) = %v, want ErrInvalidName", tag, err)
		}
		if _, err := st.Record(ctx, tag); !errors.Is(err, manifest.ErrInvalidName) {
			t.Errorf("Record(%q) = %v, want ErrInvalidName", tag, err)
		}
	}
	if des, _ := os.ReadDir(root); len(des) != 1 {
		t.Errorf("files written outside the store: %v", des)
	}
}
