package manifest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// This file logs every refused attempt (§1.21.3.3–§1.21.3.4): [Deny]
// appends a [Denial] to the log, [Controls] names the controls that
// refused, and Promote, Rollback, PromoteManifest, RollbackManifest and
// ReportDeployment log their own refusals through an attempt.

// What a [Denial] says was attempted (its Action).
const (
	AttemptPromote          = "promote"
	AttemptRollback         = "rollback"
	AttemptPromoteManifest  = "promote-manifest"
	AttemptRollbackManifest = "rollback-manifest"
	AttemptDeployReport     = "deploy-report"
)

// attempts are the Actions a Denial may log.
var attempts = []string{AttemptPromote, AttemptRollback, AttemptPromoteManifest, AttemptRollbackManifest, AttemptDeployReport}

// MaxRefusal bounds, in bytes, each text field of a logged [Denial]: the
// refusal, and the release, environment, digest, approver and reason the
// request gave, and each control ID. [Deny] cuts a longer text at a
// character boundary and ends it with "…", so a refusal is always logged,
// whatever its length.
const MaxRefusal = 2048

// Bounds of an [Actor]: each of its text fields (the name, issuer,
// subject, each claim, the token's ID, digest, key and each audience) is
// at most 1 KiB, and the token names at most 16 audiences. [Deny] cuts a
// longer field (ending it with "…") and keeps 15 audiences and "…";
// Promote, Rollback, PromoteManifest, RollbackManifest and
// ReportDeployment refuse such an actor (a *[FieldError] "too long" or
// "too many").
const (
	maxActorField = 1 << 10
	maxAudiences  = 16
)

// A FieldError is an input [Deny], [ReportDeployment] or a promotion
// cannot log as it is: Field names the field (the JSON name: "action",
// "refusal", "config", "result", "error", "targets", "commit", "changes",
// "actor", "releaser", and an actor's own as "actor.name",
// "actor.claims.ref", "actor.token.audience", ...), and Reason says what
// is wrong, one of these short lower-case phrases:
//
//	"required"                 the field is empty or holds nothing visible
//	                           (a deployment report without an actor, or
//	                           one without a name)
//	"unknown action"           a Denial's Action is not one of the Attempt
//	                           constants
//	"unknown result"           Result is not started, succeeded or failed
//	"only for a failed result" Error given with another result
//	"too long"                 longer than its bound (an actor's field:
//	                           1 KiB; a releaser: 1 KiB)
//	"too many"                 more targets than MaxTargets, or more than
//	                           16 audiences of an actor's token
//	"duplicate"                a target named twice
//	"control character"        a control, format or bidi character
//	"invalid UTF-8"            text that is not UTF-8
//	"invalid digest"           not "sha256:" and 64 lowercase hex digits
//	"not a commit"             not a full 40 or 64 hex digit object name
//	"not the release's commit" another commit than the release record's
//	"not this release"         changes of another release than the one reported
//	"not from the previous release" changes from another release than the environment ran before
//	"invalid changes"          the changed-files manifest is inconsistent
//	"store keeps no evidence"  changes given to a store that is no EvidenceStore
type FieldError struct {
	Field  string
	Reason string
	Detail string // the value or what is wrong with it; may be empty
	Err    error  // the cause (ErrInvalidDigest), or nil
}

// Error reads "manifest: " + Field + ": " + Reason, then Detail and the cause.
func (e *FieldError) Error() string { return reasonText(e.Field+": "+e.Reason, e.Detail, e.Err) }

// Unwrap returns the cause, or nil.
func (e *FieldError) Unwrap() error { return e.Err }

// Is reports whether target is a *FieldError with the same Field and
// Reason, so that errors.Is(err, &FieldError{Field: "result", Reason:
// "unknown result"}) tells an input apart whatever its Detail.
func (e *FieldError) Is(target error) bool {
	t, ok := target.(*FieldError)
	return ok && t.Field == e.Field && t.Reason == e.Reason
}

func badField(field, reason string, err error, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: reason, Detail: fmt.Sprintf(format, args...), Err: err}
}

// Deny appends d to st's log as a [KindDenied] entry, in the same hash
// chain as the promotions, and returns the entry as stored. It is what
// Promote, Rollback, PromoteManifest, RollbackManifest and
// ReportDeployment do with each refusal; call it for the refusals of your
// own (relctl logs a CI token that does not verify this way).
//
// d.Action and d.Refusal are required (a *[FieldError] "required"), and
// d.Action must be one of [AttemptPromote], [AttemptRollback],
// [AttemptPromoteManifest], [AttemptRollbackManifest] and
// [AttemptDeployReport] (a *FieldError "unknown action"); each text field
// is cut to [MaxRefusal] bytes, and each of d.Actor's to 1 KiB (its token
// to 16 audiences), so whatever the caller passes the entry stays small;
// d.Gate and d.Config, when set, must be valid digests (a *FieldError
// "invalid digest"); a zero d.At is the time now. Deny reads the log first and appends nothing to one that does not
// verify (a *[ChainError], [ErrTampered]); the append is a compare-and-swap
// on the log's length, retried when another writer got there first, so
// the denial is logged exactly once.
func Deny(ctx context.Context, st Log, d Denial) (Entry, error) {
	if invisible(d.Action) {
		return Entry{}, badField("action", "required", nil, "")
	}
	if !slices.Contains(attempts, d.Action) {
		return Entry{}, badField("action", "unknown action", nil, "%q: want %s", bound(d.Action, MaxRefusal), strings.Join(attempts, ", "))
	}
	if invisible(d.Refusal) {
		return Entry{}, badField("refusal", "required", nil, "")
	}
	if d.Gate != "" {
		if err := ValidateDigest(d.Gate); err != nil {
			return Entry{}, badField("gate", "invalid digest", err, "")
		}
	}
	if d.Config != "" {
		if err := ValidateDigest(d.Config); err != nil {
			return Entry{}, badField("config", "invalid digest", err, "")
		}
	}
	if d.At.IsZero() {
		d.At = time.Now()
	}
	d = boundDenial(d)
	for range maxAppendRetries {
		entries, err := readLog(ctx, st)
		if err != nil {
			return Entry{}, err
		}
		e, err := appendAt(ctx, st, entries, Entry{Kind: KindDenied, Denial: &d})
		if errors.Is(err, ErrConflict) {
			continue
		}
		return e, err
	}
	return Entry{}, fmt.Errorf("%w: gave up after %d attempts", ErrConflict, maxAppendRetries)
}

// appendAt appends e after entries with compare-and-swap: it returns an
// error wrapping ErrConflict, and has written nothing, when the log has
// grown since entries were read.
func appendAt(ctx context.Context, st Log, entries []Entry, e Entry) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	e.Seq = uint64(len(entries)) + 1
	return st.Append(ctx, e)
}

// boundDenial returns d with its text fields and control IDs cut to
// MaxRefusal bytes of valid UTF-8, its actor bounded (boundActor), its
// time in UTC, and its slices and actor copied.
func boundDenial(d Denial) Denial {
	for _, s := range []*string{&d.Action, &d.Release, &d.Env, &d.Digest, &d.Approver, &d.Reason, &d.Refusal, &d.Config} {
		*s = bound(*s, MaxRefusal)
	}
	d.At = d.At.UTC()
	d.Controls = slices.Clone(d.Controls)
	for i := range d.Controls {
		d.Controls[i] = bound(d.Controls[i], MaxRefusal)
	}
	d.Actor = boundActor(d.Actor)
	return d
}

// An actorField is one text field of an Actor, with its JSON path.
type actorField struct {
	name string
	p    *string
}

// fields returns a's text fields, the token's audiences included.
func (a *Actor) fields() []actorField {
	fs := []actorField{{"actor.name", &a.Name}, {"actor.issuer", &a.Issuer}, {"actor.subject", &a.Subject}}
	if c := a.Claims; c != nil {
		fs = append(fs, actorField{"actor.claims.actor", &c.Actor}, actorField{"actor.claims.repository", &c.Repository},
			actorField{"actor.claims.ref", &c.Ref}, actorField{"actor.claims.commit", &c.Commit},
			actorField{"actor.claims.workflow", &c.Workflow}, actorField{"actor.claims.run", &c.Run},
			actorField{"actor.claims.environment", &c.Environment})
	}
	if t := a.Token; t != nil {
		fs = append(fs, actorField{"actor.token.id", &t.ID}, actorField{"actor.token.digest", &t.Digest}, actorField{"actor.token.key", &t.Key})
		for i := range t.Audience {
			fs = append(fs, actorField{"actor.token.audience", &t.Audience[i]})
		}
	}
	return fs
}

// boundActor returns a copy of a (nil for nil) with each text field cut to
// maxActorField bytes of valid UTF-8, ending with "…" when cut, and its
// token's audiences to maxAudiences, the last "…" when there were more.
func boundActor(a *Actor) *Actor {
	c := a.clone()
	if c == nil {
		return nil
	}
	if c.Token != nil && len(c.Token.Audience) > maxAudiences {
		c.Token.Audience = append(c.Token.Audience[:maxAudiences-1], "…")
	}
	for _, f := range c.fields() {
		*f.p = bound(*f.p, maxActorField)
	}
	return c
}

// checkActor refuses, with a *FieldError, an actor with a text field
// longer than maxActorField bytes ("too long") or a token of more than
// maxAudiences audiences ("too many"): a request's actor is logged as it
// is, so it must fit.
func checkActor(a *Actor) error {
	if a == nil {
		return nil
	}
	if a.Token != nil && len(a.Token.Audience) > maxAudiences {
		return badField("actor.token.audience", "too many", nil, "%d, at most %d", len(a.Token.Audience), maxAudiences)
	}
	for _, f := range a.fields() {
		if len(*f.p) > maxActorField {
			return badField(f.name, "too long", nil, "%d bytes, at most %d", len(*f.p), maxActorField)
		}
	}
	return nil
}

// checkRequester refuses, with a *FieldError, a request whose actor
// (checkActor) or typed releaser (longer than maxActorField bytes: it is
// logged as the actor's name) cannot be logged as it is.
func checkRequester(releaser string, actor *Actor) error {
	if len(releaser) > maxActorField {
		return badField("releaser", "too long", nil, "%d bytes, at most %d", len(releaser), maxActorField)
	}
	return checkActor(actor)
}

// bound returns s as valid UTF-8 of at most n bytes: a longer s is cut at
// a character boundary and ends with "…".
func bound(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	const more = "…"
	cut := n - len(more)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + more
}

// clone returns a deep copy of a, or nil.
func (a *Actor) clone() *Actor {
	if a == nil {
		return nil
	}
	c := *a
	if a.Claims != nil {
		cl := *a.Claims
		c.Claims = &cl
	}
	if a.Token != nil {
		t := *a.Token
		t.Audience = slices.Clone(a.Token.Audience)
		c.Token = &t
	}
	return &c
}

// Controls returns the IDs of the controls that refused in err's tree (each
// once, in the order found; nil when none did): those of every error with a
// Controls() []string method (policy.DeniedError has one: the controls its
// report failed) and those of manifest's own refusals that a control of the
// release policy also checks:
//
//	*DriftError                                   REL-DIGEST-001
//	*RefusalError "digest not in the release record" REL-DIGEST-001
//	*FormatError "release record incomplete"      REL-RECORD-001
//	*RefusalError "release tag not verified",
//	  "release tag signature does not verify",
//	  "record commit not checked",
//	  "record commit is not the tag's commit"     REL-TAG-001
//	*RefusalError "no authorization for production",
//	  "releaser not authorized", "approver not authorized",
//	  "emergency approver not authorized",
//	  "reporter not authorized",
//	  "verified identity required",
//	  "actor is not the releaser"                 REL-ENV-001
//	*RefusalError "approver is the releaser",
//	  "emergency approver is the releaser"        REL-SOD-001
//	ErrApprovalRequired without an approver       REL-SOD-001
//	ErrApprovalRequired for an incomplete
//	  emergency-change record                     REL-WINDOW-001
//
// Every other refusal (an unknown environment, a missing record, a
// skipped environment, a manifest signature, an unverified identity, ...)
// has no control of its own and gives none.
func Controls(err error) []string {
	var ids []string
	add := func(list ...string) {
		for _, id := range list {
			if id != "" && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if c, ok := err.(interface{ Controls() []string }); ok {
			add(c.Controls()...)
		}
		add(ownControls(err)...)
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return ids
}

// The IDs of the release policy's controls that manifest's own refusals
// match (package policy defines them; manifest does not import it).
const (
	controlDigest = "REL-DIGEST-001"
	controlRecord = "REL-RECORD-001"
	controlTag    = "REL-TAG-001"
	controlEnv    = "REL-ENV-001"
	controlSoD    = "REL-SOD-001"
	controlWindow = "REL-WINDOW-001"
)

// ownControls maps one of manifest's refusals (not its causes) to the
// control IDs Controls documents.
func ownControls(err error) []string {
	switch e := err.(type) {
	case *DriftError:
		return []string{controlDigest}
	case *FormatError:
		if e.Reason == reasonIncomplete {
			return []string{controlRecord}
		}
	case *RefusalError:
		switch e.Reason {
		case "digest not in the release record":
			return []string{controlDigest}
		case "release tag not verified", "release tag signature does not verify", "record commit not checked", "record commit is not the tag's commit":
			return []string{controlTag}
		case "no authorization for production", "releaser not authorized", "approver not authorized", "emergency approver not authorized",
			"reporter not authorized", "verified identity required", "actor is not the releaser":
			return []string{controlEnv}
		case "approver is the releaser", "emergency approver is the releaser":
			return []string{controlSoD}
		}
	case *controlled:
		return e.controls
	}
	return nil
}

// reasonIncomplete is the Reason of CheckReport.Err.
const reasonIncomplete = "release record incomplete"

// controlled is a refusal that names its controls where its type cannot
// (ErrApprovalRequired without an approver, or for an incomplete emergency
// record). Its text is the refusal's; errors.Is and errors.As see through
// it.
type controlled struct {
	err      error
	controls []string
}

func (c *controlled) Error() string      { return c.err.Error() }
func (c *controlled) Unwrap() error      { return c.err }
func (c *controlled) Controls() []string { return slices.Clone(c.controls) }

func withControls(err error, ids ...string) error { return &controlled{err: err, controls: ids} }

// An attempt is a request of Promote, Rollback, PromoteManifest,
// RollbackManifest or ReportDeployment: the facts its denial would log.
type attempt struct {
	st Log
	d  Denial
}

// newAttempt returns the attempt of action with the request's facts in d,
// the digest of the configuration it is decided under (WithConfigDigest)
// and its actor: req's Actor, or a typed Actor named releaser when only
// that was given.
func (c config) newAttempt(st Log, d Denial, releaser string, actor *Actor) *attempt {
	d.Config = c.configDigest
	switch {
	case actor != nil:
		d.Actor = actor.clone()
	case releaser != "":
		d.Actor = &Actor{Name: releaser}
	}
	return &attempt{st: st, d: d}
}

// denial returns the Denial of refusal err, with the gate's evidence
// digest and what the refused promotion p was about, when known.
func (a *attempt) denial(err error, gate string, p *Promotion) Denial {
	d := a.d
	if p != nil {
		if d.Release == "" {
			d.Release = p.Release
		}
		if d.Digest == "" {
			d.Digest = p.Digest
		}
	}
	d.Refusal = err.Error()
	d.Controls = Controls(err)
	d.Gate = gate
	return boundDenial(d)
}

// refuse logs the refusal err, which did not depend on the log, as a
// KindDenied entry and returns that entry and err. When it cannot be logged
// (the log does not verify, ctx is done, the store fails) err is returned
// joined with a *[DenialError] saying why.
func (a *attempt) refuse(ctx context.Context, err error) (Entry, error) {
	d := a.denial(err, "", nil)
	for range maxAppendRetries {
		entries, lerr := readLog(ctx, a.st)
		if lerr != nil {
			return Entry{}, notLogged(err, lerr)
		}
		e, lerr := appendAt(ctx, a.st, entries, Entry{Kind: KindDenied, Denial: &d})
		if errors.Is(lerr, ErrConflict) {
			continue
		}
		if lerr != nil {
			return Entry{}, notLogged(err, lerr)
		}
		return e, err
	}
	return Entry{}, notLogged(err, fmt.Errorf("%w: gave up after %d attempts", ErrConflict, maxAppendRetries))
}

// refuseAt logs the refusal err, decided on entries, with compare-and-swap
// after them. conflict reports that another writer appended first: nothing
// was logged, and the caller decides again on the new log.
func (a *attempt) refuseAt(ctx context.Context, entries []Entry, err error, gate string, p *Promotion) (e Entry, conflict bool, rerr error) {
	d := a.denial(err, gate, p)
	e, lerr := appendAt(ctx, a.st, entries, Entry{Kind: KindDenied, Denial: &d})
	if errors.Is(lerr, ErrConflict) {
		return Entry{}, true, nil
	}
	if lerr != nil {
		return Entry{}, false, notLogged(err, lerr)
	}
	return e, false, err
}

// A DenialError says that a refusal could not be logged as a [KindDenied]
// entry, and why (Err: the log does not verify, the context is done, the
// store failed). It is returned joined with the refusal (errors.Join), so
// errors.Is and errors.As find both.
type DenialError struct {
	Err error
}

// Error reads "manifest: denial not logged: " and the cause.
func (e *DenialError) Error() string { return "manifest: denial not logged: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *DenialError) Unwrap() error { return e.Err }

func notLogged(refusal, cause error) error {
	return errors.Join(refusal, &DenialError{Err: cause})
}

// WithVerifiedIdentity names the environments where a promotion, a
// rollback and a deployment report need an identity verified from a CI
// token: the request's Actor with Verified set and its Issuer and Subject.
// Any other is refused with a *[RefusalError] "verified identity required"
// (logged as a denial, like every refusal). package config says which
// environments need one (Config.VerifiedIdentityEnvs).
func WithVerifiedIdentity(envs ...string) Option {
	return func(c *config) { c.verified = slices.Clone(envs) }
}

// identify returns the releaser and actor of a request: the Actor's name
// is the releaser when Releaser is empty; both given, they must be the
// same; and env may need a verified identity ([WithVerifiedIdentity]).
// Without an Actor, a Releaser is a typed, unverified Actor.
func (c config) identify(env, releaser string, actor *Actor) (string, *Actor, error) {
	if actor != nil {
		if invisible(actor.Name) {
			return "", nil, refused("actor has no name", nil, "%s", env)
		}
		if releaser == "" {
			releaser = actor.Name
		} else if releaser != actor.Name {
			return "", nil, refused("actor is not the releaser", nil, "the releaser is %q, the actor %q", releaser, actor.Name)
		}
		actor = actor.clone()
	} else if releaser != "" {
		actor = &Actor{Name: releaser}
	}
	if slices.Contains(c.verified, env) && (actor == nil || !actor.Verified || invisible(actor.Issuer) || invisible(actor.Subject)) {
		who := "nobody"
		if actor != nil {
			who = fmt.Sprintf("%q (unverified)", actor.Name)
		}
		return "", nil, refused("verified identity required", nil, "%s needs an identity verified from a CI token; the request names %s", env, who)
	}
	return releaser, actor, nil
}

// hasControlChar reports whether s holds a control, format (bidi
// included) or invalid character.
func hasControlChar(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if unicode.In(r, unicode.Cc, unicode.Cf) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}
