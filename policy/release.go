package policy

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/manifest"
)

// RecordComplete (REL-RECORD-001) requires the release record of
// Facts.Record to be complete: manifest.Check finds no missing or malformed
// field (§1.20.3.1). An incomplete record must not be promoted (§2.4
// guardrail). The evidence of a fail is every missing field. Without a
// record (a pull-request check, a manifest promotion) the control is not
// applicable.
type RecordComplete struct{}

// Meta describes the control.
func (RecordComplete) Meta() Meta {
	return Meta{ID: "REL-RECORD-001", Title: "Release record is complete", Section: "§1.20.3.1, §2.4", Criteria: []string{"CC8.1"}, Severity: High}
}

// Evaluate checks f.Record.
func (RecordComplete) Evaluate(_ context.Context, f Facts) Result {
	r := f.Record
	if r == nil {
		return na("no release record")
	}
	rep := manifest.Check(*r)
	if len(rep.Problems) > 0 {
		ev := make([]Evidence, len(rep.Problems))
		names := make([]string, len(rep.Problems))
		for i, p := range rep.Problems {
			ev[i] = Evidence{Kind: "field", Value: p.Field, Note: p.Message}
			names[i] = p.Field
		}
		tag := r.Tag
		if tag == "" {
			tag = "(no tag)"
		}
		return fail(fmt.Sprintf("release record %s is incomplete: %d field(s) missing or malformed (%s); complete the record before promoting the release",
			tag, len(rep.Problems), strings.Join(names, ", ")), ev...)
	}
	ev := []Evidence{{Kind: "tag", Value: r.Tag}, {Kind: "commit", Value: r.Commit, Note: "tagged commit"}}
	for _, a := range r.Artifacts {
		ev = append(ev, Evidence{Kind: "digest", Value: a.Digest, Note: a.Name})
	}
	return pass(fmt.Sprintf("release record %s has every field §1.20.3.1 requires", r.Tag), ev...)
}

// SameDigest (REL-DIGEST-001) requires every environment to run the same
// artifact digests for a release (§1.12.3.5, §1.13.3.2: promote, never
// rebuild). It reads the promotion log (Facts.Promotions, or the record's
// own "promotions" when that is nil) and the promotion requested
// (Facts.Promotion). Environments are taken in the order the release first
// reached them; every digest an environment ran must have been run by the
// environment before it and, when Facts.Record is the release's record, be
// one of its artifacts. A drift fails naming both digests. Record and
// manifest promotions are checked apart. The release checked is Facts.Record's tag,
// else the requested promotion's release, else every release in the log;
// with no promotion at all the control is not applicable.
type SameDigest struct{}

// Meta describes the control.
func (SameDigest) Meta() Meta {
	return Meta{ID: "REL-DIGEST-001", Title: "The same artifact digest runs in every environment", Section: "§1.12.3.5, §1.13.3.2", Criteria: []string{"CC6.8", "CC8.1"}, Severity: Critical}
}

// Evaluate checks f.Promotions, f.Promotion and f.Record.
func (SameDigest) Evaluate(_ context.Context, f Facts) Result {
	log := f.Promotions
	if log == nil && f.Record != nil {
		log = f.Record.Promotions
	}
	all := slices.Clone(log)
	if f.Promotion != nil {
		all = append(all, *f.Promotion)
	}
	type key struct {
		release  string
		manifest bool
	}
	var only *key
	switch {
	case f.Record != nil && f.Record.Tag != "":
		only = &key{f.Record.Tag, false}
	case f.Promotion != nil:
		only = &key{f.Promotion.Release, f.Promotion.Manifest != nil}
	}
	var order []key
	byRelease := map[key][]manifest.Promotion{}
	for _, p := range all {
		k := key{p.Release, p.Manifest != nil}
		if only != nil && k != *only {
			continue
		}
		if _, ok := byRelease[k]; !ok {
			order = append(order, k)
		}
		byRelease[k] = append(byRelease[k], p)
	}
	if len(order) == 0 {
		if only != nil {
			return na("release " + only.release + " has not been promoted")
		}
		return na("no promotion log or request")
	}
	var ev, bad []Evidence
	for _, k := range order {
		var envs []string
		ran := map[string][]string{} // env → digests, in log order
		for _, p := range byRelease[k] {
			if _, ok := ran[p.Env]; !ok {
				envs = append(envs, p.Env)
			}
			if !slices.Contains(ran[p.Env], p.Digest) {
				ran[p.Env] = append(ran[p.Env], p.Digest)
			}
		}
		var recorded []string
		if !k.manifest && f.Record != nil && f.Record.Tag == k.release {
			for _, a := range f.Record.Artifacts {
				recorded = append(recorded, a.Digest)
			}
		}
		for i, env := range envs {
			for _, d := range ran[env] {
				e := Evidence{Kind: "digest", Value: d, Note: k.release + " in " + env}
				switch {
				case recorded != nil && !slices.Contains(recorded, d):
					e.Note = fmt.Sprintf("%s ran %s in %s, but the release record has %s", k.release, d, env, strings.Join(recorded, ", "))
					bad = append(bad, e)
				case i > 0 && !slices.Contains(ran[envs[i-1]], d):
					e.Note = fmt.Sprintf("%s ran %s in %s, but %s ran %s", k.release, d, env, envs[i-1], strings.Join(ran[envs[i-1]], ", "))
					bad = append(bad, e)
				}
				ev = append(ev, e)
			}
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("digest drift between environments: %s; promote the artifact the previous environment ran, never a rebuild (a changed artifact is a new version)", notes(bad)), ev...)
	}
	names := make([]string, len(order))
	for i, k := range order {
		names[i] = k.release
	}
	return pass(fmt.Sprintf("every environment ran the same digest(s) for %s", strings.Join(names, ", ")), ev...)
}

// A PromotionRequest is a promotion about to be made, in the JSON form
// relctl's --promotion flag reads ([ReadPromotionRequest]):
//
//	{
//	  "release": "v1.4.2",
//	  "env": "prod",
//	  "digest": "sha256:60c5764e…",
//	  "approver": "carol",
//	  "reason": "CHG-1234 approved",
//	  "requested_at": "2026-03-02T09:30:00+01:00",
//	  "emergency": {"reason": "…", "scope": "…", "approver": "…", "rollback_plan": "…", "follow_up": "…"},
//	  "history": [
//	    {"release": "v1.4.2", "env": "dev", "digest": "sha256:60c5764e…", "requested_at": "…", "promoted_at": "…"}
//	  ]
//	}
//
// release, env and digest are required; requested_at defaults to the
// evaluation time; emergency (manifest.EmergencyChange) is for a change
// outside the windows; history is the promotion log so far, oldest first,
// as manifest logs it (manifest.Promotion), or omitted.
type PromotionRequest struct {
	Release     string                    `json:"release"`
	Env         string                    `json:"env"`
	Digest      string                    `json:"digest"`
	Approver    string                    `json:"approver,omitempty"`
	Reason      string                    `json:"reason,omitempty"`
	RequestedAt time.Time                 `json:"requested_at,omitzero"`
	Emergency   *manifest.EmergencyChange `json:"emergency,omitempty"`
	History     []manifest.Promotion      `json:"history,omitempty"`
}

// ReadPromotionRequest reads a [PromotionRequest] in its JSON form.
// Unknown fields, trailing data, a missing release or env and a digest that
// is not "sha256:" and 64 lowercase hex digits are errors.
func ReadPromotionRequest(r io.Reader) (*PromotionRequest, error) {
	var req PromotionRequest
	if err := readStrictJSON(r, &req, true); err != nil {
		return nil, fmt.Errorf("policy: parse promotion request: %w", err)
	}
	if req.Release == "" || req.Env == "" {
		return nil, fmt.Errorf("policy: parse promotion request: release and env are required")
	}
	if err := manifest.ValidateDigest(req.Digest); err != nil {
		return nil, fmt.Errorf("policy: parse promotion request: %w", err)
	}
	return &req, nil
}

// Input returns the manifest.GateInput of the request for the release
// record rec, requested at now when the request names no time, so that a
// [Gate] can evaluate it before manifest.Promote is called.
func (r PromotionRequest) Input(rec manifest.Record, now time.Time) manifest.GateInput {
	at := r.RequestedAt
	if at.IsZero() {
		at = now
	}
	return manifest.GateInput{
		Record: rec,
		Promotion: manifest.Promotion{Release: r.Release, Env: r.Env, Digest: r.Digest, Approver: r.Approver,
			Reason: r.Reason, RequestedAt: at.UTC(), Emergency: r.Emergency},
		History: r.History,
	}
}
