package policy

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/releasekit/releasekit/manifest"
)

// A Gate is manifest's promotion gate (manifest.WithGate) enforcing a
// policy: before each promotion, Promote, Rollback, PromoteManifest and
// RollbackManifest call it, and it evaluates every control of Policy on
// Facts completed from the request, and refuses the promotion with a
// *[DeniedError] when one fails. A Gate is a manifest.EvidenceGate, so
// manifest calls [Gate.AllowEvidence] and logs the digest of the report
// the decision was made on in Promotion.Gate, keeping the report itself in
// the store when it is a manifest.EvidenceStore (manifest.DirStore and
// manifest.GitStore are); read it back with the store's Evidence method
// and [ReadReport].
//
// Give it the controls that decide a promotion ([ChangeWindow],
// [SeparationOfDuties], [RecordComplete], [SameDigest],
// [EnvironmentSeparation], ...) and, in Facts, the evidence the request
// does not carry: the pull request for separation of duties, the releaser
// (Facts.Deployment.Releaser), and the record or manifest that was approved
// (Facts.Record, Facts.Manifest), to which the decision is bound. From the
// request, the gate sets Facts.Now and the deployment time to the
// request's time (manifest's injected clock), Facts.Deployment (the
// environment, the approver and the emergency-change record), Facts.Record
// (the promoted record; nil for a manifest), Facts.RollbackTarget (the
// record of its rollback target, as the store holds it), Facts.Manifest
// (for a manifest), Facts.Promotions (the log) and Facts.Promotion.
//
// A Facts.Record binds the gate to that release: such a gate refuses any
// other, a rollback included. Leave Facts.Record and Facts.Manifest nil for
// a gate that serves every release; each decision is then bound to the
// record or manifest manifest hands it.
//
// A Gate always enforces: Policy.Advisory is reported but a failure still
// refuses. The zero Gate has no controls and refuses every promotion
// ([ErrEmptyPolicy]). A Gate is a value and safe for concurrent use if its
// controls are; it only reads the slices and maps of Facts.
type Gate struct {
	Policy Policy
	Facts  Facts
	// Production is the promotion environment the controls see as
	// "production" (the environment ChangeWindow and SeparationOfDuties
	// guard by default); empty means "prod", the last environment of
	// manifest's default order. Other environments keep their names.
	Production string
}

// Gate is a manifest.EvidenceGate: the log keeps the report of each decision.
var _ manifest.EvidenceGate = Gate{}

// Allow implements manifest.Gate. It returns the change window used ("" for
// an emergency change or a policy without ChangeWindow), or a *[DeniedError]
// with the report when a control fails or the decision cannot be bound to
// the promoted record or manifest.
func (g Gate) Allow(ctx context.Context, in manifest.GateInput) (string, error) {
	w, _, err := g.decide(ctx, in)
	return w, err
}

// AllowEvidence implements manifest.EvidenceGate: it makes the decision of
// [Gate.Allow] and also returns the report it decided on, as
// [Report.WriteJSON] writes it ([ReadReport] reads it back). manifest
// stores those bytes and logs their digest with the promotion, so an audit
// can show the policy results that gated it (§1.5.2, §1.21.3.4). The report
// is returned with a refusal too, next to the *[DeniedError]. A report that
// cannot be encoded (an exception with a date past year 9999) refuses an
// allowed promotion with a *[ReportError] "invalid report": a decision
// without its evidence is not logged.
func (g Gate) AllowEvidence(ctx context.Context, in manifest.GateInput) (string, []byte, error) {
	w, rep, err := g.decide(ctx, in)
	var b bytes.Buffer
	if werr := rep.WriteJSON(&b); werr != nil {
		if err != nil {
			return "", nil, err
		}
		return "", nil, &ReportError{Reason: reasonInvalid, Detail: fmt.Sprintf("encode the report of the promotion of %s to %s", in.Promotion.Release, in.Promotion.Env), Err: werr}
	}
	return w, b.Bytes(), err
}

// decide evaluates in and returns the window used, the report and, when it
// refuses, a *DeniedError.
func (g Gate) decide(ctx context.Context, in manifest.GateInput) (string, Report, error) {
	rep := g.Evaluate(ctx, in)
	if err := rep.Err(); err != nil {
		return "", rep, &DeniedError{Release: in.Promotion.Release, Env: in.Promotion.Env, Digest: in.Promotion.Digest, Report: rep}
	}
	for _, res := range rep.Results {
		if res.Control.ID != (ChangeWindow{}).Meta().ID || res.Status != Pass {
			continue
		}
		for _, e := range res.Evidence {
			if e.Kind == "field" && e.Note == "window used" {
				return e.Value, rep, nil
			}
		}
	}
	return "", rep, nil
}

// Evaluate returns the report Allow decides on: the result of binding the
// decision to the promoted record or manifest (REL-GATE-001, which no
// exception waives) followed by one result per control of g.Policy.
func (g Gate) Evaluate(ctx context.Context, in manifest.GateInput) Report {
	f := g.Facts
	p := in.Promotion
	// The decision is made at the request's time, never at a time the gate
	// was configured with: a request without one has no evaluation time, and
	// the controls that need it deny.
	f.Now = p.RequestedAt
	env := p.Env
	prod := g.Production
	if prod == "" {
		prod = "prod"
	}
	if env == prod || p.Production {
		env = "production"
	}
	d := &Deployment{Environment: env, At: p.RequestedAt}
	if p.Approver != "" {
		d.Approvers = []string{p.Approver}
	}
	if g.Facts.Deployment != nil {
		d.Releaser = g.Facts.Deployment.Releaser
	}
	d.Emergency = p.Emergency
	f.Deployment = d
	if in.Manifest != nil {
		f.Record, f.Manifest = nil, in.Manifest
	} else {
		rec := in.Record
		f.Record = &rec
		f.RollbackTarget = in.RollbackTarget
	}
	f.Promotions = append([]manifest.Promotion{}, in.History...)
	f.Promotion = &p
	rep := Evaluate(ctx, g.Policy, f)
	if len(rep.Results) == 0 {
		return rep // ErrEmptyPolicy: an empty gate allows nothing
	}
	rep.Results = append([]Result{g.bind(in)}, rep.Results...)
	return rep
}

var bindMeta = Meta{ID: "REL-GATE-001", Title: "The promotion decision is bound to the record or manifest promoted", Section: "§1.12.3.5, §1.31.3.3", Criteria: []string{"CC8.1"}, Severity: Critical}

// bind checks that what is evaluated is what is promoted.
func (g Gate) bind(in manifest.GateInput) Result {
	res := g.bindResult(in)
	res.Control = bindMeta
	if res.Status == Fail {
		res.Err = &ReportError{Reason: reasonNotBound}
	}
	return res
}

func (g Gate) bindResult(in manifest.GateInput) Result {
	p := in.Promotion
	if m := in.Manifest; m != nil {
		d, err := m.Digest()
		if err != nil {
			return fail(fmt.Sprintf("manifest %s cannot be hashed (%v); promote a valid manifest", m.Name, err))
		}
		ev := []Evidence{{Kind: "digest", Value: d, Note: "manifest " + m.Name + " evaluated"}}
		if d != p.Digest {
			return fail(fmt.Sprintf("manifest %s evaluated hashes to %s but the promotion names %s; evaluate the manifest being promoted", m.Name, d, p.Digest), ev...)
		}
		if g.Facts.Record != nil {
			return fail(fmt.Sprintf("the gate is bound to release record %s but manifest %s is being promoted; use a gate for this manifest", g.Facts.Record.Tag, m.Name), ev...)
		}
		if g.Facts.Manifest != nil {
			ad, err := g.Facts.Manifest.Digest()
			if err != nil || ad != d {
				return fail(fmt.Sprintf("the approved manifest %s is %s but %s is being promoted; a changed manifest is a new candidate, approve it again", g.Facts.Manifest.Name, ad, d), ev...)
			}
		}
		return pass(fmt.Sprintf("decision bound to manifest %s %s", m.Name, d), ev...)
	}
	rec := in.Record
	b, err := manifest.MarshalRecord(rec)
	if err != nil {
		return fail(fmt.Sprintf("release record %s cannot be encoded (%v); promote a valid record", rec.Tag, err))
	}
	d := manifest.Digest(b)
	ev := []Evidence{{Kind: "digest", Value: d, Note: "release record " + rec.Tag + " evaluated"}, {Kind: "digest", Value: p.Digest, Note: "artifact promoted"}}
	if g.Facts.Manifest != nil {
		return fail(fmt.Sprintf("the gate is bound to manifest %s but release record %s is being promoted; use a gate for this release", g.Facts.Manifest.Name, rec.Tag), ev...)
	}
	if rec.Tag != p.Release {
		return fail(fmt.Sprintf("the record evaluated is for %q but the promotion is of %q; evaluate the release being promoted", rec.Tag, p.Release), ev...)
	}
	if !rec.HasDigest(p.Digest) {
		ds := make([]string, len(rec.Artifacts))
		for i, a := range rec.Artifacts {
			ds[i] = a.Digest
		}
		return fail(fmt.Sprintf("the promoted digest %s is not an artifact of release record %s (%s); promote a recorded artifact", p.Digest, rec.Tag, strings.Join(ds, ", ")), ev...)
	}
	if g.Facts.Record != nil {
		ab, err := manifest.MarshalRecord(*g.Facts.Record)
		ad := ""
		if err == nil {
			ad = manifest.Digest(ab)
		}
		if ad != d {
			return fail(fmt.Sprintf("the approved release record %s (%s) differs from the record promoted (%s); approve the record being promoted", g.Facts.Record.Tag, ad, d), ev...)
		}
	}
	return pass(fmt.Sprintf("decision bound to release record %s %s and artifact %s", rec.Tag, d, p.Digest), ev...)
}

// A DeniedError is a [Gate]'s refusal of a promotion, with the report that
// decided it. manifest returns it inside a *manifest.GateError; find it with
// errors.As.
type DeniedError struct {
	Release string
	Env     string
	Digest  string
	Report  Report
}

// Error names the promotion and every failed control with its reason.
func (e *DeniedError) Error() string {
	return fmt.Sprintf("policy: promotion of %s %s to %s denied: %v", e.Release, e.Digest, e.Env, e.Report.Err())
}

// Controls returns the IDs of the controls whose result failed (waived,
// passed and not-applicable results did not refuse), each once, in the
// order of the report; REL-GATE-001 among them when the decision could not
// be bound to the promoted record or manifest. manifest.Controls finds
// them in the error manifest returns, for the denial it logs.
func (e *DeniedError) Controls() []string {
	var ids []string
	for _, r := range e.Report.Results {
		if r.Status == Fail && !slices.Contains(ids, r.Control.ID) {
			ids = append(ids, r.Control.ID)
		}
	}
	return ids
}

// Unwrap returns the report's error (a *[ReportError] "controls failed", or
// [ErrEmptyPolicy]) and a *ReportError "evaluated content differs from the
// promoted content" when the decision could not be bound to the promoted
// record or manifest: the approved record differs from the promoted one,
// the promoted digest is not one of the record's artifacts, or a manifest
// does not hash to the digest promoted (RELIABILITY row 55: a decision holds
// only for the bytes it was made on).
func (e *DeniedError) Unwrap() []error {
	errs := []error{e.Report.Err()}
	for _, r := range e.Report.Results {
		if r.Control.ID == bindMeta.ID && r.Status == Fail {
			errs = append(errs, &ReportError{Reason: reasonNotBound})
		}
	}
	return errs
}
