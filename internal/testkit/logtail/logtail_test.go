package logtail_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/releasekit/releasekit/internal/testkit/logtail"
)

func TestTailKeepsTheLastLines(t *testing.T) {
	l := &logtail.Tail{Max: 3}
	for i := range 5 {
		l.Add(fmt.Sprint(i))
	}
	if got := l.String(); got != "2\n3\n4" {
		t.Fatalf("tail = %q", got)
	}
	var z logtail.Tail
	var wg sync.WaitGroup
	for i := range 400 {
		wg.Add(1)
		go func() { defer wg.Done(); z.Add(fmt.Sprint(i)) }()
	}
	wg.Wait()
	if n := len(strings.Split(z.String(), "\n")); n != 300 {
		t.Fatalf("the zero Tail kept %d lines, want 300", n)
	}
}
