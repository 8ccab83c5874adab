package main

import (
	"fmt"
	"io"
	"os"
)

// progress counts the commits of a long history walk on stderr when stderr
// is the process's terminal. A nil *progress prints nothing: tests, pipes and
// CI logs see no progress output.
type progress struct {
	w     io.Writer
	label string
	n     int
	shown bool
}

// progressEvery is how many commits pass between two updates.
const progressEvery = 1000

// newProgress returns a progress indicator on stderr, or nil when stderr is
// not the real os.Stderr or not a terminal.
func newProgress(stderr io.Writer, label string) *progress {
	f, ok := stderr.(*os.File)
	if !ok || f != os.Stderr {
		return nil
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return &progress{w: f, label: label}
}

// add counts k more commits, updating the line each progressEvery commits.
func (p *progress) add(k int) {
	if p == nil {
		return
	}
	before := p.n
	p.n += k
	if p.n/progressEvery != before/progressEvery {
		fmt.Fprintf(p.w, "\r%s: %d commits", p.label, p.n)
		p.shown = true
	}
}

// done erases the progress line.
func (p *progress) done() {
	if p == nil || !p.shown {
		return
	}
	fmt.Fprint(p.w, "\r\033[K")
	p.shown = false
}
