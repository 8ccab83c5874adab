// Package logtail keeps the last lines of a server's log, for the test
// servers (giteatest, registrytest) to print when a server fails.
package logtail

import (
	"strings"
	"sync"
)

// A Tail keeps the last Max lines written to it. It is safe for
// concurrent use; its zero value keeps 300 lines.
type Tail struct {
	Max   int
	mu    sync.Mutex
	lines []string
}

// Add keeps line, dropping the oldest line when the tail is full.
func (l *Tail) Add(line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	max := l.Max
	if max <= 0 {
		max = 300
	}
	if len(l.lines) >= max {
		l.lines = l.lines[len(l.lines)-max+1:]
	}
	l.lines = append(l.lines, line)
}

// String returns the lines kept, oldest first, joined by newlines.
func (l *Tail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}
