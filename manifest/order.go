package manifest

import (
	"fmt"
	"slices"
	"strings"
)

// An OrderError is a logged promotion that did not follow the promotion
// order: it reached Env although the release (or, for a manifest, its
// digest) never ran in Skipped, the environment before Env in the order;
// or it was decided under another order than the configured one
// (Recorded). [CheckOrder] returns them for audits.
type OrderError struct {
	Seq      uint64   // the entry
	Release  string   // the release or manifest name
	Env      string   // where it was promoted
	Skipped  string   // the environment it skipped, or ""
	Recorded []string // the order it was decided under, when it differs from the configured one
}

// Error says which environment was skipped or which order was used.
func (e *OrderError) Error() string {
	if e.Skipped != "" {
		return fmt.Sprintf("manifest: entry %d: %s promoted to %s without %s (environment skipped)", e.Seq, e.Release, e.Env, e.Skipped)
	}
	return fmt.Sprintf("manifest: entry %d: %s promoted to %s under the order %s, not the configured one", e.Seq, e.Release, e.Env, strings.Join(e.Recorded, ","))
}

// CheckOrder checks every promotion in entries (rollbacks aside) against
// the promotion order: order when given (the configuration's), else the
// order each promotion recorded (entries older than the recorded order are
// then not checked). A promotion is reported when the environment before
// its own in that order never ran the same release and digest earlier in
// the log, or when its recorded order differs from order. relctl's
// --order-unsafe is how a log comes to hold either.
func CheckOrder(entries []Entry, order []string) []*OrderError {
	var out []*OrderError
	var seen []Promotion
	for _, e := range entries {
		p := e.Promotion
		if p == nil {
			continue
		}
		if p.RollbackFrom == "" {
			if err := checkOrder(e.Seq, *p, seen, order); err != nil {
				out = append(out, err)
			}
		}
		seen = append(seen, *p)
	}
	return out
}

func checkOrder(seq uint64, p Promotion, seen []Promotion, order []string) *OrderError {
	ref := order
	if len(ref) == 0 {
		ref = p.Order
	}
	if len(order) > 0 && len(p.Order) > 0 && !slices.Equal(order, p.Order) {
		return &OrderError{Seq: seq, Release: p.Release, Env: p.Env, Recorded: slices.Clone(p.Order)}
	}
	idx := slices.Index(ref, p.Env)
	if idx <= 0 {
		if idx < 0 && len(order) > 0 {
			return &OrderError{Seq: seq, Release: p.Release, Env: p.Env, Recorded: slices.Clone(p.Order)}
		}
		return nil
	}
	prev := ref[idx-1]
	ran := slices.ContainsFunc(seen, func(q Promotion) bool {
		return q.Env == prev && q.Release == p.Release && q.Digest == p.Digest && (q.Manifest == nil) == (p.Manifest == nil)
	})
	if !ran {
		return &OrderError{Seq: seq, Release: p.Release, Env: p.Env, Skipped: prev}
	}
	return nil
}
