package demo

import (
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// Epoch returns the time of the examples' first step, 2026-01-05 09:00 UTC.
// Every later step is a fixed offset from it.
func Epoch() time.Time {
	return time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
}

// Clock hands out fixed, increasing times, one minute apart. Its zero value
// is ready to use and starts one minute after [Epoch]. A Clock is not safe
// for concurrent use.
type Clock struct {
	// T is the last time handed out, zero before the first call to
	// [Clock.Next]. Set it to start from another time (for example the
	// current minute, on a real repository) or to jump ahead.
	T time.Time
}

// Next moves the clock one minute on (from [Epoch] when T is zero) and
// returns the new time.
func (c *Clock) Next() time.Time {
	if c.T.IsZero() {
		c.T = Epoch()
	}
	c.T = c.T.Add(time.Minute)
	return c.T
}

// Email returns the e-mail address of one of the examples' fixed people:
// Ada Developer, Ben Reviewer, Release Bot and Cleo Approver. Anyone else
// is someone@example.com.
func Email(name string) string {
	switch name {
	case "Ada Developer":
		return "ada@example.com"
	case "Ben Reviewer":
		return "ben@example.com"
	case "Release Bot":
		return "release-bot@example.com"
	case "Cleo Approver":
		return "cleo@example.com"
	}
	return "someone@example.com"
}

// Identity returns name, with its [Email], as a git author, committer or
// tagger at time when. The caller owns the result.
func Identity(name string, when time.Time) *object.Signature {
	return &object.Signature{Name: name, Email: Email(name), When: when}
}
