package audit

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// promotions adds the log link; then, in log order, each promotion of the
// release with the gate that decided it, each refused attempt about it and
// each of its deployment outcomes with the changed-files manifest it names;
// then each rollback away from the release.
func (b *builder) promotions(lg *promotionLog) {
	b.add(lg.link)
	var proms []manifest.Entry
	for _, e := range lg.entries {
		if p := e.Promotion; p != nil && p.Manifest == nil && p.Release == b.rec.Tag {
			proms = append(proms, e)
		}
	}
	if len(proms) == 0 {
		b.add(b.gap(StepPromotion, "", "the log holds no promotion of "+b.rec.Tag, nil))
	}
	prod := b.src.production()
	outOfOrder := map[uint64]*manifest.OrderError{}
	for _, oe := range manifest.CheckOrder(lg.entries, b.src.Order) {
		outOfOrder[oe.Seq] = oe
	}
	changesSeen := map[changesKey]bool{}
	for _, e := range lg.entries {
		switch {
		case e.Denial != nil && e.Denial.Release == b.rec.Tag:
			b.denial(lg, e)
			continue
		case e.Deploy != nil && e.Deploy.Release == b.rec.Tag:
			b.deployment(lg, e, changesSeen)
			continue
		case e.Promotion == nil || e.Promotion.Manifest != nil || e.Promotion.Release != b.rec.Tag:
			continue
		}
		p := e.Promotion
		info := promotionInfo(e, lg.entries)
		st, reason, err := lg.entryStatus(e)
		l := Link{Step: StepPromotion, ID: p.Env, Promotion: info, Status: st, Reason: reason, Err: err}
		gapReason, gapErr, unverified := b.unverifiedGap(p.Env, p.Actor, p.Releaser)
		switch {
		case st == Failed:
		case !b.rec.HasDigest(p.Digest):
			l.Status, l.Reason = Failed, "the promoted digest is not one of the record's artifacts"
			l.Err = &TrailError{Reason: ReasonDigestMismatch, Detail: fmt.Sprintf("%s promoted %s", p.Env, p.Digest)}
		case outOfOrder[e.Seq] != nil:
			oe := outOfOrder[e.Seq]
			l.Status, l.Reason = Failed, strings.TrimPrefix(oe.Error(), "manifest: ")
			l.Err = &TrailError{Reason: ReasonOrder, Detail: l.Reason, Err: oe}
		case len(p.Unsafe) > 0:
			l.Status, l.Reason = Gap, "let through by unsafe option(s): "+strings.Join(p.Unsafe, ", ")
			l.Err = fmt.Errorf("%w: %s", ErrMissingEvidence, l.Reason)
		case unverified:
			l.Status, l.Reason, l.Err = Gap, gapReason, gapErr
		case (p.Env == prod || p.Production) && (p.Approver == "" || p.Reason == ""):
			l.Status, l.Reason = Gap, "the production promotion has no approver or reason"
			l.Err = fmt.Errorf("%w: %s", ErrMissingEvidence, l.Reason)
		case (p.Env == prod || p.Production) && p.Window == "" && p.Emergency == nil:
			l.Status, l.Reason = Gap, "the production promotion names no change window and no emergency record"
			l.Err = fmt.Errorf("%w: %s", ErrMissingEvidence, l.Reason)
		case p.Emergency != nil && !emergencyComplete(p.Emergency):
			l.Status, l.Reason = Gap, "the emergency-change record is incomplete"
			l.Err = fmt.Errorf("%w: %s", ErrMissingEvidence, l.Reason)
		default:
			l.Reason = promotionReason(p) + "; " + reason
		}
		b.add(l)
		b.gate(p, l.Status == Failed && errors.Is(l.Err, manifest.ErrTampered))
	}
	for _, e := range lg.entries {
		p := e.Promotion
		if p == nil || p.Manifest != nil || p.RollbackFrom != b.rec.Tag {
			continue
		}
		st, reason, err := lg.entryStatus(e)
		l := Link{
			Step: StepRollback, ID: p.Env, Status: st, Err: err,
			Reason:    fmt.Sprintf("rolled back to %s at %s%s, approved by %s: %s; %s", p.Release, p.PromotedAt.UTC().Format(time.RFC3339), byActor(p), p.Approver, p.Reason, reason),
			Promotion: promotionInfo(e, lg.entries),
		}
		if gapReason, gapErr, unverified := b.unverifiedGap(p.Env, p.Actor, p.Releaser); unverified && st != Failed {
			l.Status, l.Reason, l.Err = Gap, gapReason, gapErr
		}
		b.add(l)
	}
}

// promotionReason describes a promotion in one line.
func promotionReason(p *manifest.Promotion) string {
	s := fmt.Sprintf("promoted at %s", p.PromotedAt.UTC().Format(time.RFC3339)) + byActor(p)
	if p.Approver != "" {
		s += ", approved by " + p.Approver
	}
	switch {
	case p.Emergency != nil:
		s += ", emergency change"
		if p.Emergency.ID != "" {
			s += " " + p.Emergency.ID
		}
	case p.Window != "":
		s += ", in window " + p.Window
	}
	if p.RollbackFrom != "" {
		s += ", rolling back " + p.RollbackFrom
	}
	return s
}

// byActor is " by " and who triggered p, or "" when no one is recorded.
func byActor(p *manifest.Promotion) string {
	if who := actorText(p.Actor, p.Releaser); who != "" {
		return " by " + who
	}
	return ""
}

func emergencyComplete(em *manifest.EmergencyChange) bool {
	return em.Reason != "" && em.Scope != "" && em.Approver != "" && em.RollbackPlan != "" && em.FollowUp != ""
}

// promotionInfo describes e's promotion and what replaced it in its
// environment.
func promotionInfo(e manifest.Entry, entries []manifest.Entry) *PromotionInfo {
	p := e.Promotion
	info := &PromotionInfo{
		Seq: e.Seq, Release: p.Release, Env: p.Env, Digest: p.Digest, Approver: p.Approver, Reason: p.Reason,
		RequestedAt: p.RequestedAt, PromotedAt: p.PromotedAt, Window: p.Window, Emergency: p.Emergency,
		RollbackFrom: p.RollbackFrom, Gate: p.Gate, Releaser: p.Releaser, Actor: p.Actor,
	}
	for _, n := range entries {
		q := n.Promotion
		if n.Seq <= e.Seq || q == nil || q.Env != p.Env {
			continue
		}
		if q.Manifest == nil && q.Release == p.Release {
			continue // the same release again (another artifact, a re-run)
		}
		info.ReplacedBy, info.ReplacedAt = q.Release, q.PromotedAt
		info.RolledBack = q.RollbackFrom == p.Release
		break
	}
	return info
}

// gate adds the link of the policy report that gated p.
func (b *builder) gate(p *manifest.Promotion, tampered bool) {
	info := &GateInfo{Digest: p.Gate, Env: p.Env}
	l := Link{Step: StepGate, ID: p.Env, Gate: info}
	if p.Gate == "" {
		l = b.gap(StepGate, p.Env, "no gate decision recorded for the promotion to "+p.Env, nil)
		l.Gate = info
		b.add(l)
		return
	}
	es, ok := b.src.Store.(manifest.EvidenceStore)
	if !ok {
		l.Status, l.Reason = Recorded, "the log names the gate report "+p.Gate+"; the store keeps no evidence"
		b.add(l)
		return
	}
	data, err := es.Evidence(b.ctx, p.Gate)
	switch {
	case errors.Is(err, manifest.ErrNotFound):
		l.Status, l.Err, l.Reason = Gap, fmt.Errorf("%w: %w", ErrMissingEvidence, err), "the gate report "+p.Gate+" is not in the store"
		b.add(l)
		return
	case err != nil:
		l.Status, l.Err, l.Reason = Failed, err, "the gate report cannot be read or was edited"
		b.add(l)
		return
	}
	rep, err := policy.ReadReport(bytes.NewReader(data))
	if err != nil {
		l.Status, l.Err, l.Reason = Failed, err, "the gate report does not parse"
		b.add(l)
		return
	}
	info.Counts = map[string]int{}
	for st, n := range rep.Counts() {
		info.Counts[string(st)] = n
	}
	for _, r := range rep.Results {
		info.Controls = append(info.Controls, r.Control.ID)
		if r.Status == policy.Fail {
			info.FailedControls = append(info.FailedControls, r.Control.ID)
		}
	}
	switch {
	case tampered:
		l.Status, l.Reason = Failed, "the report is stored but the log entry naming it does not verify"
		l.Err = manifest.ErrTampered
	case len(info.FailedControls) > 0:
		l.Status, l.Reason = Failed, "the gate report has failed controls: "+strings.Join(info.FailedControls, ", ")
		l.Err = &TrailError{Reason: ReasonGateFailed, Detail: strings.Join(info.FailedControls, ", ")}
	case rep.Err() != nil:
		// A report that denies without a failed control: no controls at
		// all (policy.ErrEmptyPolicy), which a gate refuses.
		l.Status, l.Reason = Failed, "the gate report denies: "+rep.Err().Error()
		l.Err = &TrailError{Reason: ReasonGateFailed, Err: rep.Err()}
	default:
		l.Status = Verified
		l.Reason = fmt.Sprintf("policy report %s: %d pass, %d not applicable, %d waived", p.Gate,
			info.Counts[string(policy.Pass)], info.Counts[string(policy.NotApplicable)], info.Counts[string(policy.Waived)])
	}
	b.add(l)
}
