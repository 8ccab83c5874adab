package tagging_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"bufio"
	"context"
	"io"

	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"

	"github.com/go-git/go-git/v5"
)

const raceEnv = "TAGGING_RACE_HELPER"

// TestRaceHelper is the body of the helper processes of TestCreateRace: it
// prints "ready", waits for a line on standard input, creates the tag and
// prints "ok COMMIT" or "exists EXISTING".
func TestRaceHelper(t *testing.T) {
	if os.Getenv(raceEnv) == "" {
		t.Skip("helper process for TestCreateRace")
	}
	repo, err := git.PlainOpen(os.Getenv("RACE_REPO"))
	if err != nil {
		fmt.Println("error", err)
		return
	}
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString('\n')
	req := tagging.Request{Name: "v1.0.0", Target: plumbing.NewHash(os.Getenv("RACE_COMMIT")), Tagger: tagger, Message: "Release v1.0.0\n"}
	fmt.Println(outcome(tagging.CreateUnsigned(context.Background(), repo, req)))
}

func outcome(tag *tagging.Tag, err error) string {
	var ee *tagging.ExistsError
	switch {
	case err == nil:
		return "ok " + tag.Target.String()
	case errors.As(err, &ee):
		return "exists " + ee.Existing.String()
	}
	return "error " + strings.ReplaceAll(err.Error(), "\n", " ")
}

// 8 goroutines and 4 processes create v1.0.0, half on one commit and half
// on another: every success is for the winner's commit, every other call
// gets ErrTagExists naming it, and the tag ends at that commit.
func TestCreateRace(t *testing.T) {
	f := newFixture(t)
	targets := []plumbing.Hash{f.commit, f.other}
	start := make(chan struct{})
	var mu sync.Mutex
	type result struct {
		target plumbing.Hash
		out    string
	}
	var results []result
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			repo, err := git.PlainOpen(f.g.Dir)
			if err != nil {
				t.Error(err)
				return
			}
			req := f.req("v1.0.0")
			req.Target = targets[i%2]
			<-start
			out := outcome(tagging.CreateUnsigned(context.Background(), repo, req))
			mu.Lock()
			results = append(results, result{req.Target, out})
			mu.Unlock()
		}()
	}
	type proc struct {
		cmd    *exec.Cmd
		stdin  io.WriteCloser
		stdout *bufio.Reader
		target plumbing.Hash
	}
	var procs []proc
	for i := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRaceHelper$", "-test.v=false")
		cmd.Env = append(os.Environ(), raceEnv+"=1", "RACE_REPO="+f.g.Dir, "RACE_COMMIT="+targets[i%2].String())
		stdin, err := cmd.StdinPipe()
		require.NoError(t, err)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		p := proc{cmd, stdin, bufio.NewReader(stdout), targets[i%2]}
		t.Cleanup(func() { _ = p.cmd.Process.Kill(); _ = p.cmd.Wait() })
		line, err := p.stdout.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, "ready\n", line)
		procs = append(procs, p)
	}
	// Go.
	for _, p := range procs {
		_, err := io.WriteString(p.stdin, "go\n")
		require.NoError(t, err)
	}
	close(start)
	for _, p := range procs {
		line, err := p.stdout.ReadString('\n')
		require.NoError(t, err)
		mu.Lock()
		results = append(results, result{p.target, strings.TrimSpace(line)})
		mu.Unlock()
	}
	wg.Wait()
	require.Len(t, results, 12)

	final := plumbing.NewHash(strings.TrimSpace(f.must(t, nil, "git", "rev-parse", "refs/tags/v1.0.0^{commit}")))
	wins := 0
	for _, r := range results {
		if r.target == final {
			assert.Equal(t, "ok "+final.String(), r.out, "every call for the winning commit succeeds")
			wins++
		} else {
			assert.Equal(t, "exists "+final.String(), r.out, "every call for the other commit gets ErrTagExists")
		}
	}
	assert.Equal(t, 6, wins)
	_, err := os.Stat(f.g.Dir + "/.git/refs/tags/v1.0.0.lock")
	assert.True(t, os.IsNotExist(err), "no lock file is left")
	assert.Empty(t, f.must(t, nil, "git", "fsck", "--no-dangling"))
}

// Signers and verifiers are documented safe for concurrent use (run with
// -race).
func TestSignersAndVerifiersConcurrent(t *testing.T) {
	sf := newSigned(t)
	pgpS := pgpSigner(t, sf.entity)
	sshS := sshSigner(t, sf.sshKey, tagging.GitNamespace)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, c := range []struct {
				raw []byte
				v   signature.Verifier
			}{{sf.sshRaw, sf.ssh}, {sf.pgpRaw, sf.pgp}} {
				_, err := tagging.VerifyObject(t.Context(), c.raw, c.v, verifyAt)
				assert.NoError(t, err)
			}
			for _, s := range []signature.Signer{pgpS, sshS} {
				_, err := s.Sign(t.Context(), strings.NewReader("x\n"))
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
}
