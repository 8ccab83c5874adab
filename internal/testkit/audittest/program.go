package audittest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Build builds the history New builds, for a program rather than a test
// (the audit example): its directories go under dir, which must exist, and
// a failure is returned as an error instead of failing a test. Nothing is
// removed afterwards; the caller owns dir. The Fixture's Git helper, made
// for tests, panics when a git command it runs fails.
func Build(dir string, opts ...Option) (f *Fixture, err error) {
	p := &programTB{dir: dir}
	defer func() {
		for i := len(p.cleanups) - 1; i >= 0; i-- {
			p.cleanups[i]()
		}
		if r := recover(); r != nil {
			fail, ok := r.(programFailure)
			if !ok {
				panic(r)
			}
			f, err = nil, fail.err
		}
	}()
	return New(p, opts...), nil
}

// programTB is the part of testing.TB that New and gittest use, for Build.
// Its Fatal methods panic with a programFailure, which Build recovers.
// Any other testing.TB method panics (the embedded interface is nil).
type programTB struct {
	testing.TB
	dir      string
	n        int
	cleanups []func()
}

type programFailure struct{ err error }

func (p *programTB) Helper()                   {}
func (p *programTB) Context() context.Context  { return context.Background() }
func (p *programTB) Cleanup(f func())          { p.cleanups = append(p.cleanups, f) }
func (p *programTB) Fatal(args ...any)         { panic(programFailure{fmt.Errorf("%s", fmt.Sprint(args...))}) }
func (p *programTB) Fatalf(f string, a ...any) { panic(programFailure{fmt.Errorf(f, a...)}) }

// TempDir returns a new directory under dir.
func (p *programTB) TempDir() string {
	p.n++
	d := filepath.Join(p.dir, fmt.Sprintf("%03d", p.n))
	if err := os.MkdirAll(d, 0o755); err != nil {
		p.Fatalf("audittest: %v", err)
	}
	return d
}
