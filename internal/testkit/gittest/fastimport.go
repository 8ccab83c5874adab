package gittest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"strconv"
)

// zeroHash, given as "from" to a reset, makes fast-import delete the ref.
const zeroHash = "0000000000000000000000000000000000000000"

// A fileOp is one change in a fast-import commit: write content to path, or
// delete path when del is set.
type fileOp struct {
	path    string
	content string
	del     bool
}

// A fastImport streams commands to a running `git fast-import` (documented in
// git-fast-import(1)). The stream goes through a bufio.Writer, so memory does
// not grow with the history; commits are named by marks.
type fastImport struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	w      *bufio.Writer
	stderr bytes.Buffer
	buf    []byte // scratch for one command
	args   []string
}

// startFastImport starts `git fast-import --done --quiet` plus extra in dir.
func startFastImport(ctx context.Context, dir string, env []string, extra ...string) (*fastImport, error) {
	args := append([]string{"fast-import", "--done", "--quiet"}, extra...)
	f := &fastImport{args: args}
	f.cmd = exec.CommandContext(ctx, "git", args...)
	f.cmd.Dir = dir
	// fast-import deflates every object with a fresh zlib stream; glibc's
	// malloc would give the stream's buffers back to the kernel and ask for
	// them again each time (about a third of the run time in brk). A top
	// pad and a high trim threshold keep them. Other C libraries ignore it.
	f.cmd.Env = append(env[:len(env):len(env)],
		"GLIBC_TUNABLES=glibc.malloc.trim_threshold=268435456:glibc.malloc.top_pad=67108864")
	f.cmd.Stderr = &f.stderr
	var err error
	if f.stdin, err = f.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := f.cmd.Start(); err != nil {
		return nil, &CommandError{Dir: dir, Args: args, Err: err}
	}
	f.w = bufio.NewWriterSize(f.stdin, 1<<20)
	return f, nil
}

// finish ends the stream with "done", waits for fast-import and reports its
// failure with its standard error.
func (f *fastImport) finish() error {
	f.w.WriteString("done\n")
	werr := f.w.Flush()
	cerr := f.stdin.Close()
	if err := f.cmd.Wait(); err != nil {
		return &CommandError{Dir: f.cmd.Dir, Args: f.args, Stderr: f.stderr.String(), Err: err}
	}
	return errors.Join(werr, cerr)
}

// abort stops fast-import without "done", so it writes nothing to refs.
func (f *fastImport) abort() {
	f.stdin.Close()
	f.cmd.Process.Kill()
	f.cmd.Wait()
}

// err returns the first write error, if any; a dead fast-import shows up
// here as a broken pipe.
func (f *fastImport) err() error {
	_, err := f.w.Write(nil)
	return err
}

// ident appends "<role> Name <email> <unix> +0000\n".
func (f *fastImport) ident(role, name, email string, unix int64) {
	f.buf = append(f.buf, role...)
	f.buf = append(f.buf, ' ')
	f.buf = append(f.buf, name...)
	f.buf = append(f.buf, " <"...)
	f.buf = append(f.buf, email...)
	f.buf = append(f.buf, "> "...)
	f.buf = strconv.AppendInt(f.buf, unix, 10)
	f.buf = append(f.buf, " +0000\n"...)
}

// data appends a "data <n>" block holding b.
func (f *fastImport) data(b []byte) {
	f.buf = append(f.buf, "data "...)
	f.buf = strconv.AppendInt(f.buf, int64(len(b)), 10)
	f.buf = append(f.buf, '\n')
	f.buf = append(f.buf, b...)
	f.buf = append(f.buf, '\n')
}

// commit writes a commit on ref with the given mark (none when 0), dated
// unix for author and committer, with message msg. from and merge are
// commit-ishes (":12", a full hash or "refs/heads/x^0"); from may be "" to
// continue ref's current tip.
func (f *fastImport) commit(ref string, mark int, unix int64, msg []byte, from string, merge []string, ops []fileOp) {
	f.buf = append(f.buf[:0], "commit "...)
	f.buf = append(f.buf, ref...)
	f.buf = append(f.buf, '\n')
	if mark > 0 {
		f.buf = append(f.buf, "mark :"...)
		f.buf = strconv.AppendInt(f.buf, int64(mark), 10)
		f.buf = append(f.buf, '\n')
	}
	f.ident("author", AuthorName, AuthorEmail, unix)
	f.ident("committer", CommitterName, CommitterEmail, unix)
	f.data(msg)
	if from != "" {
		f.buf = append(f.buf, "from "...)
		f.buf = append(f.buf, from...)
		f.buf = append(f.buf, '\n')
	}
	for _, m := range merge {
		f.buf = append(f.buf, "merge "...)
		f.buf = append(f.buf, m...)
		f.buf = append(f.buf, '\n')
	}
	for _, op := range ops {
		if op.del {
			f.buf = append(f.buf, "D "...)
			f.buf = append(f.buf, op.path...)
			f.buf = append(f.buf, '\n')
			continue
		}
		f.buf = append(f.buf, "M 100644 inline "...)
		f.buf = append(f.buf, op.path...)
		f.buf = append(f.buf, '\n')
		f.buf = append(f.buf, "data "...)
		f.buf = strconv.AppendInt(f.buf, int64(len(op.content)), 10)
		f.buf = append(f.buf, '\n')
		f.buf = append(f.buf, op.content...)
		f.buf = append(f.buf, '\n')
	}
	f.buf = append(f.buf, '\n')
	f.w.Write(f.buf)
}

// annotatedTag writes an unsigned annotated tag name at the commit-ish from.
func (f *fastImport) annotatedTag(name, from string, unix int64, msg []byte) {
	f.buf = append(f.buf[:0], "tag "...)
	f.buf = append(f.buf, name...)
	f.buf = append(f.buf, "\nfrom "...)
	f.buf = append(f.buf, from...)
	f.buf = append(f.buf, '\n')
	f.ident("tagger", CommitterName, CommitterEmail, unix)
	f.data(msg)
	f.w.Write(f.buf)
}

// reset points ref at the commit-ish from; zeroHash deletes ref.
func (f *fastImport) reset(ref, from string) {
	f.buf = append(f.buf[:0], "reset "...)
	f.buf = append(f.buf, ref...)
	f.buf = append(f.buf, "\nfrom "...)
	f.buf = append(f.buf, from...)
	f.buf = append(f.buf, "\n\n"...)
	f.w.Write(f.buf)
}

// markRef returns ":n".
func markRef(n int) string { return ":" + strconv.Itoa(n) }
