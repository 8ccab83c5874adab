package ocistore_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/ocistore"
	"github.com/releasekit/releasekit/tlog"
)

const (
	helperRepoEnv = "RELEASEKIT_OCISTORE_HELPER_REPO"
	helperIDEnv   = "RELEASEKIT_OCISTORE_HELPER_ID"
	perWriter     = 3
)

// TestHelperProcess is not a test: the concurrency and crash tests run the
// test binary again with it to append from other processes.
func TestHelperProcess(t *testing.T) {
	repo := os.Getenv(helperRepoEnv)
	if repo == "" {
		t.Skip("helper process only")
	}
	st, err := ocistore.Open(t.Context(), repo)
	require.NoError(t, err)
	id := os.Getenv(helperIDEnv)
	for i := 0; id == "crash" || i < perWriter; i++ {
		_, err := st.Append(t.Context(), note(fmt.Sprintf("%s-%d", id, i)))
		require.NoError(t, err)
		fmt.Println("appended", i)
	}
}

func helper(repo, id string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v")
	cmd.Env = append(os.Environ(), helperRepoEnv+"="+repo, helperIDEnv+"="+id)
	return cmd
}

// checkLog verifies the whole log: the hash chain, the tree the head
// holds against the one its entries give, and that each of want's notes
// is there exactly once.
func checkLog(t *testing.T, st *ocistore.Store, want []string) []manifest.Entry {
	t.Helper()
	ctx := t.Context()
	entries, err := manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err)
	var mem tlog.Tree
	for _, e := range entries {
		leaf, err := manifest.LeafData(e)
		require.NoError(t, err)
		require.NoError(t, mem.Append(tlog.LeafHash(leaf), nil))
	}
	tr, err := st.Tree(ctx)
	require.NoError(t, err)
	require.Equal(t, mem, tr, "the head's tree is the tree of the entries")
	vt, err := manifest.VerifyTree(ctx, st) // entry by entry, as an auditor would
	require.NoError(t, err)
	require.Equal(t, tr, vt)
	root, err := tr.Root()
	require.NoError(t, err)
	for _, i := range []uint64{0, tr.Size / 2, tr.Size - 1} {
		leaf, _ := manifest.LeafData(entries[i])
		p, err := tlog.InclusionProof(ctx, st, i, tr.Size)
		require.NoError(t, err)
		require.NoError(t, tlog.VerifyInclusion(i, tr.Size, tlog.LeafHash(leaf), p, root))
	}
	seen := map[string]int{}
	for _, e := range entries {
		seen[e.Note]++
	}
	for _, w := range want {
		assert.Equal(t, 1, seen[w], w)
	}
	if want != nil {
		assert.Len(t, entries, len(want))
	}
	return entries
}

// TestConcurrentAppend: 12 writers, 8 goroutines (each with its own
// store, as separate CI jobs have) and 4 processes, append to one log on
// a real registry at once: every entry lands exactly once and the tree
// verifies.
func TestConcurrentAppend(t *testing.T) {
	_, reg := open(t, "releases/log")
	repo := reg.Repo("releases/log")
	var want []string
	var procs []*exec.Cmd
	for p := range 4 {
		cmd := helper(repo, fmt.Sprint("p", p))
		require.NoError(t, cmd.Start())
		procs = append(procs, cmd)
		for i := range perWriter {
			want = append(want, fmt.Sprintf("p%d-%d", p, i))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		for i := range perWriter {
			want = append(want, fmt.Sprintf("g%d-%d", g, i))
		}
		wg.Go(func() {
			st, err := ocistore.Open(t.Context(), repo)
			if err != nil {
				errs <- err
				return
			}
			for i := range perWriter {
				if _, err := st.Append(t.Context(), note(fmt.Sprintf("g%d-%d", g, i))); err != nil {
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
	st, err := ocistore.Open(t.Context(), repo)
	require.NoError(t, err)
	checkLog(t, st, want)
}

// TestConcurrentAppendProcesses: 12 processes append at once.
func TestConcurrentAppendProcesses(t *testing.T) {
	st, reg := open(t, "releases/log")
	repo := reg.Repo("releases/log")
	var want []string
	var procs []*exec.Cmd
	for p := range 12 {
		cmd := helper(repo, fmt.Sprint("p", p))
		require.NoError(t, cmd.Start())
		procs = append(procs, cmd)
		for i := range perWriter {
			want = append(want, fmt.Sprintf("p%d-%d", p, i))
		}
	}
	for _, cmd := range procs {
		require.NoError(t, cmd.Wait())
	}
	checkLog(t, st, want)
}

// TestKilledAppender: a writer killed (SIGKILL) in the middle of its
// appends leaves a log that verifies, holding each of its entries at most
// once, and the next writer appends after them.
func TestKilledAppender(t *testing.T) {
	st, reg := open(t, "releases/log")
	cmd := helper(reg.Repo("releases/log"), "crash")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	for n := 0; n < 5 && sc.Scan(); {
		if strings.HasPrefix(sc.Text(), "appended") {
			n++
		}
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	cmd.Wait()
	entries := checkLog(t, st, nil)
	require.GreaterOrEqual(t, len(entries), 5)
	seen := map[string]bool{}
	for _, e := range entries {
		assert.False(t, seen[e.Note], "%s twice", e.Note)
		seen[e.Note] = true
	}
	e, err := st.Append(t.Context(), note("after"))
	require.NoError(t, err)
	assert.Equal(t, uint64(len(entries)+1), e.Seq)
	checkLog(t, st, nil)
}
