package manifest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/releasekit/releasekit/signature"
)

// defaultOrder is the promotion order used unless [WithOrder] is given.
var defaultOrder = []string{"dev", "staging", "prod"}

// Refusals of Promote and Rollback that callers branch on. Each is returned
// wrapped, so test with errors.Is; [GateError] carries details, and the
// other refusals are a [DriftError] or a [RefusalError].
var (
	// ErrUnknownEnv: the environment is not in the configured order.
	ErrUnknownEnv = errors.New("manifest: unknown environment")
	// ErrApprovalRequired: the environment needs an approver and a reason.
	ErrApprovalRequired = errors.New("manifest: approval required")
	// ErrGateRefused: the Gate (change window, separation of duties) refused.
	ErrGateRefused = errors.New("manifest: promotion gate refused")
)

// A DriftError refuses a digest that differs from the one the previous
// environment ran (a rebuild between environments).
type DriftError struct {
	Release  string
	Env      string // the environment being promoted to
	Previous string // the environment before it
	Ran      string // the digest Previous ran
	Got      string // the digest requested
}

// Error names both digests.
func (e *DriftError) Error() string {
	return fmt.Sprintf("manifest: promote %s to %s: digest %s differs from %s that %s ran", e.Release, e.Env, e.Got, e.Ran, e.Previous)
}

// Is reports whether target is a *DriftError, so that
// errors.Is(err, &DriftError{}) tells a drift refusal apart.
func (e *DriftError) Is(target error) bool {
	_, ok := target.(*DriftError)
	return ok
}

// A GateError is the ErrGateRefused refusal with the gate's reason.
type GateError struct {
	Env string
	Err error // what the gate returned
}

// Error includes the gate's reason.
func (e *GateError) Error() string {
	return fmt.Sprintf("manifest: promotion to %s refused by gate: %v", e.Env, e.Err)
}

// Unwrap returns both [ErrGateRefused] and the gate's error.
func (e *GateError) Unwrap() []error { return []error{ErrGateRefused, e.Err} }

// An EmergencyChange is the record an out-of-window production change needs
// (§1.13.3.3 Exception): reason, scope, approver, rollback plan, follow-up.
type EmergencyChange struct {
	ID           string `json:"id,omitempty"`
	Reason       string `json:"reason"`
	Scope        string `json:"scope"`
	Approver     string `json:"approver"`
	RollbackPlan string `json:"rollback_plan"`
	FollowUp     string `json:"follow_up"`
	// Expires bounds the emergency in time (§1.21.3.6: break-glass access
	// is time-bounded): the change it covers must happen before it. Zero
	// in records written before it existed; policy's REL-BREAKGLASS-001
	// requires it.
	Expires time.Time `json:"expires,omitzero"`
}

// A Promotion is one environment-by-environment promotion as logged: what
// went where, who approved it and why, when, and under which change window
// or emergency-change record.
type Promotion struct {
	Release      string           `json:"release"`
	Env          string           `json:"env"`
	Digest       string           `json:"digest"`
	Approver     string           `json:"approver,omitempty"`
	Reason       string           `json:"reason,omitempty"`
	RequestedAt  time.Time        `json:"requested_at"`
	PromotedAt   time.Time        `json:"promoted_at"`
	Window       string           `json:"window,omitempty"`
	Emergency    *EmergencyChange `json:"emergency,omitempty"`
	RollbackFrom string           `json:"rollback_from,omitempty"` // set on a rollback: the release replaced (for a manifest, its digest)
	Manifest     *Manifest        `json:"manifest,omitempty"`      // set on a manifest promotion: what Digest pins, every repository's artifacts
	// Gate is the digest of the evidence an [EvidenceGate] decided on (for
	// policy.Gate, its report), kept in the store when it is an
	// [EvidenceStore]; "" when the gate gave none.
	Gate string `json:"gate,omitempty"`
	// Releaser is who triggered the promotion or rollback, and Actor the
	// same identity with how it was established (a verified CI token or
	// typed); Actor is nil in entries written before it existed.
	Releaser string `json:"releaser,omitempty"`
	Actor    *Actor `json:"actor,omitempty"`
	// Order is the promotion order the promotion was decided under, and
	// Production whether Env was a production environment in it.
	Order      []string `json:"order,omitempty"`
	Production bool     `json:"production,omitempty"`
	// TagSigner is who signed the release tag (for a manifest promotion,
	// the manifest), as verified at promotion; nil when nothing was
	// verified. A production rollback to a manifest needs it.
	TagSigner *signature.Identity `json:"tag_signer,omitempty"`
	// Unsafe names the options that weakened a check to let this
	// promotion through ([WithSkipSignatureUnsafe], relctl's
	// --order-unsafe); the audit trail flags every one.
	Unsafe []string `json:"unsafe,omitempty"`
	// Config is the digest of the release configuration the promotion was
	// decided under ([WithConfigDigest]), or "".
	Config string `json:"config,omitempty"`
	// Mechanism is how a rollback was carried out
	// ([RollbackRequest].Mechanism), "" for a promotion and in entries
	// written before it existed.
	Mechanism string `json:"mechanism,omitempty"`
	// AcrossMigration is the override of a rollback across an
	// irreversible migration ([RollbackRequest].AcrossMigration), with the
	// releases crossed, or "".
	AcrossMigration string `json:"across_migration,omitempty"`
}

// A PromoteRequest asks [Promote] to promote Release's artifact Digest to
// Env.
type PromoteRequest struct {
	Release   string
	Env       string
	Digest    string
	Approver  string
	Reason    string
	Releaser  string           // who triggers the promotion; an Authorizer checks it
	Actor     *Actor           // Releaser with how it was established; its Name must be Releaser
	Emergency *EmergencyChange // for a change outside the window
	// AcrossMigration, when set, is why taking Env back to a release it
	// ran before, across a release with an irreversible migration, is
	// safe this time: [Promote] then promotes and records it in the
	// Promotion instead of refusing, as [RollbackRequest].AcrossMigration.
	AcrossMigration string
}

// A RollbackRequest asks [Rollback] or [RollbackManifest] to redeploy the
// last known-good release (or manifest) to Env. Approver and Reason are
// required; Emergency is the record of a rollback outside the change window
// (§1.13.3.3), which must be complete and is logged with the rollback.
type RollbackRequest struct {
	Env       string
	Approver  string
	Reason    string
	Releaser  string           // who triggers the rollback; an Authorizer checks it
	Actor     *Actor           // Releaser with how it was established; its Name must be Releaser
	Emergency *EmergencyChange // for a rollback outside the window
	// Mechanism is how the rollback is carried out: MechanismRedeploy
	// (the default when empty), MechanismFeatureFlag, MechanismConfig or
	// MechanismHotfix; it is recorded in the Promotion (§1.22.3).
	Mechanism string
	// AcrossMigration, when set, is why rolling back across a release
	// with an irreversible migration is safe this time (the forward fix
	// applied, the data restored): [Rollback] then rolls back and records
	// it in the Promotion instead of refusing.
	AcrossMigration string
}

// A GateInput is what a [Gate] decides on.
type GateInput struct {
	Record    Record      // the release record (complete); zero for a manifest
	Manifest  *Manifest   // the manifest promoted, or nil for a record
	Promotion Promotion   // the promotion about to be logged
	History   []Promotion // every earlier promotion in the log, oldest first
	// RollbackTarget is the store's record of the release Record's
	// rollback.version names, when the store holds a valid one; nil when
	// it names none (or "none" for a first release, or the release
	// itself), or the store has no valid record of it.
	RollbackTarget *Record
}

// gateTarget returns the record rec's rollback target names, for
// GateInput.RollbackTarget: nil without a gate, when rec names no other
// release, or when st has no valid record of it; a store that fails is an
// error.
func (c config) gateTarget(ctx context.Context, st Records, rec Record) (*Record, error) {
	v := rec.Rollback.Version
	if c.gate == nil || invisible(v) || IsFirstRelease(v) || v == rec.Tag {
		return nil, nil
	}
	t, err := st.Record(ctx, v)
	if err == nil {
		err = CheckRecordTag(v, t)
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidRecord) || errors.Is(err, ErrInvalidName) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read rollback target %s of %s: %w", v, rec.Tag, err)
	}
	return &t, nil
}

// A Gate decides rules manifest does not own, such as change windows and
// separation of duties (policy implements it). It returns the name of the
// change window used (or "" with an emergency record), or an error to
// refuse.
type Gate interface {
	Allow(ctx context.Context, in GateInput) (window string, err error)
}

// GateFunc adapts a function to [Gate].
type GateFunc func(ctx context.Context, in GateInput) (string, error)

// Allow calls f.
func (f GateFunc) Allow(ctx context.Context, in GateInput) (string, error) { return f(ctx, in) }

// A TagVerifier checks the signature of a release tag at time at and says
// who signed it. tagging.RepoVerifier implements it
// (tagging.NewRepoVerifier(repo, keys)).
type TagVerifier interface {
	VerifyTag(ctx context.Context, tag string, at time.Time) (signature.Identity, error)
}

// An Option configures [Promote] and [Rollback].
type Option func(*config)

type config struct {
	order    []string
	approval map[string]bool
	now      func() time.Time
	gate     Gate
	tags     TagVerifier
	sigs     signature.Verifier

	production        []string // production environments, when productionSet
	productionSet     bool
	auth              Authorizer
	skipSignature     bool
	skipAuthorization bool
	unsafe            []string // recorded in Promotion.Unsafe
	configDigest      string
	verified          []string // environments that need a verified identity
}

// WithOrder sets the environments in promotion order (default dev, staging,
// prod).
func WithOrder(envs ...string) Option {
	return func(c *config) { c.order = slices.Clone(envs) }
}

// WithApprovalRequired sets the environments that need an approver and a
// reason. The default is the last environment of the order (production).
func WithApprovalRequired(envs ...string) Option {
	return func(c *config) {
		c.approval = map[string]bool{}
		for _, e := range envs {
			c.approval[e] = true
		}
	}
}

// WithClock sets the clock used for timestamps (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithGate sets the gate consulted before every promotion.
func WithGate(g Gate) Option {
	return func(c *config) { c.gate = g }
}

// WithTagVerifier makes Promote verify the release tag's signature.
func WithTagVerifier(v TagVerifier) Option {
	return func(c *config) { c.tags = v }
}

func newConfig(opts []Option) config {
	c := config{order: defaultOrder, now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	if c.approval == nil && len(c.order) > 0 {
		c.approval = map[string]bool{c.order[len(c.order)-1]: true}
	}
	return c
}

func promotions(entries []Entry) []Promotion {
	n := 0
	for _, e := range entries {
		if e.Kind == KindPromotion && e.Promotion != nil {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Promotion, 0, n)
	for _, e := range entries {
		if e.Kind == KindPromotion && e.Promotion != nil {
			out = append(out, *e.Promotion)
		}
	}
	return out
}

// maxAppendRetries bounds how often Promote re-evaluates after losing a
// compare-and-swap race.
const maxAppendRetries = 100

// Promote promotes req.Release's artifact req.Digest to req.Env and appends
// the promotion to the log. In order, it refuses with:
//   - a *FieldError "too long" or "too many" if req.Actor has a field
//     longer than 1 KiB or more than 16 token audiences, or Releaser is
//     longer than 1 KiB: bad input, which is not logged;
//   - ErrUnknownEnv if Env is not in the order;
//   - a *RefusalError "actor has no name" or "actor is not the releaser"
//     if req.Actor has no name or another than req.Releaser (an empty
//     Releaser is the Actor's name), and "verified identity required" if
//     Env needs one ([WithVerifiedIdentity]) and the Actor is not verified;
//   - ErrNotFound if the store has no record for Release;
//   - a *FormatError "release record incomplete" (the record's
//     [CheckReport] error) if the record is incomplete;
//   - ErrInvalidDigest, or a *RefusalError "digest not in the release
//     record" if Digest is not one of the record's artifacts;
//   - ErrApprovalRequired if Env needs an approval and Approver or Reason
//     is empty, or an emergency record lacks a field;
//   - a *RefusalError of production's checks (see [WithProduction]): no
//     authorization, the releaser or approver not authorized or the same;
//   - a *RefusalError "release tag signature does not verify" (wrapping the
//     verifier's error) if a TagVerifier is set and the tag does not verify;
//   - a *[RollbackTargetError] if Env is a production environment, the
//     log shows production ran a release before, and the record's
//     rollback target is not a release that ran in production with its
//     digest ([CheckRollbackTarget]; a first release names
//     [RollbackNone]). A log with no production promotion yet (a first
//     release, or a store started after production began) cannot tell a
//     target released before the store from one never released: that is
//     then left to the policy gate's REL-ROLLBACK-001, which fails
//     without the target's record;
//   - a *RefusalError "previous environment skipped" if Release was never
//     promoted to the environment before Env;
//   - a *DriftError if that environment never ran
//     Digest for Release (it ran another: a rebuild between environments);
//   - a *RefusalError "rollback crosses an irreversible migration" if Env
//     ran Release before and has since run a release whose record marks
//     a [Migration] without a safe rollback: promoting Release again
//     takes Env back across it, as [Rollback] would, and is refused the
//     same way unless req.AcrossMigration says why it is safe (recorded
//     in the Promotion with the releases crossed);
//   - a *GateError (ErrGateRefused) if the Gate refuses;
//   - a *ChainError (ErrTampered) if the log does not verify: nothing is
//     decided on, or appended to, a tampered history. On a store that
//     keeps a Merkle tree and indexes its promotions ([DirStore],
//     [GitStore]) what is verified is the committed tree, whose chain the
//     store checked as each entry joined it, and every promotion read,
//     against its leaf; the other entries are not read again ([VerifyTree]
//     reads them all).
//
// Every refusal but that bad input is logged before it is returned: a
// [KindDenied] entry with the request's facts, its Actor (req.Actor, or a
// typed Actor named Releaser), the refusal, its [Controls], the digest of
// the configuration ([WithConfigDigest]) and the digest of the gate's
// evidence when the gate gave some; Promote then returns that entry with
// the refusal, unchanged. Nothing is appended to a log that does not
// verify, after ctx is done, or when the store fails: the refusal is then
// returned joined with a *[DenialError] saying why it was not logged.
//
// The checks are made against the log as read, ignoring manifest
// promotions ([PromoteManifest]); the append is a compare-and-swap on its
// length, so a concurrent append makes Promote re-read and check again
// (a denial decided on the log, by the gate, the order or the digests,
// too: it is logged once, on the log it was decided on).
//
// When the Gate is an [EvidenceGate], the logged Promotion's Gate is the
// digest of the evidence it allowed on, stored first with PutEvidence
// when st is an [EvidenceStore] (an error storing it is returned and
// nothing is logged); the evidence of a refusal is stored and named by
// the denial the same way. This holds for Rollback, PromoteManifest and
// RollbackManifest too. The logged Promotion's Releaser and Actor say who
// promoted.
func Promote(ctx context.Context, st Store, req PromoteRequest, opts ...Option) (Entry, error) {
	c := newConfig(opts)
	requested := c.now().UTC()
	if err := checkRequester(req.Releaser, req.Actor); err != nil {
		return Entry{}, err
	}
	a := c.newAttempt(st, Denial{Action: AttemptPromote, Release: req.Release, Env: req.Env, Digest: req.Digest,
		Approver: req.Approver, Reason: req.Reason, At: requested}, req.Releaser, req.Actor)
	idx := slices.Index(c.order, req.Env)
	if idx < 0 {
		return a.refuse(ctx, fmt.Errorf("%w: %q (order %v)", ErrUnknownEnv, req.Env, c.order))
	}
	releaser, actor, err := c.identify(req.Env, req.Releaser, req.Actor)
	if err != nil {
		return a.refuse(ctx, err)
	}
	rec, refusedRec, err := lookupRecord(ctx, st, "promote "+req.Release, req.Release)
	if refusedRec {
		return a.refuse(ctx, err)
	}
	if err != nil {
		return Entry{}, err
	}
	if err := Check(rec).Err(); err != nil {
		return a.refuse(ctx, fmt.Errorf("promote %s: %w", req.Release, err))
	}
	if err := ValidateDigest(req.Digest); err != nil {
		return a.refuse(ctx, fmt.Errorf("promote %s: %w", req.Release, err))
	}
	if !rec.HasDigest(req.Digest) {
		return a.refuse(ctx, refused("digest not in the release record", nil, "%s has no artifact %s", req.Release, req.Digest))
	}
	if err := c.checkApproval(req.Env, req.Approver, req.Reason, req.Emergency); err != nil {
		return a.refuse(ctx, err)
	}
	if err := c.authorize(req.Env, ActionDeploy, releaser, req.Approver, req.Emergency); err != nil {
		return a.refuse(ctx, err)
	}
	signer, err := c.verifyTag(ctx, req.Env, rec, requested)
	if err != nil {
		return a.refuse(ctx, err)
	}
	p := Promotion{
		Release: req.Release, Env: req.Env, Digest: req.Digest,
		Approver: req.Approver, Reason: req.Reason,
		RequestedAt: requested, Emergency: req.Emergency, TagSigner: signer,
	}
	c.stamp(&p, releaser, actor)
	return c.appendPromotion(ctx, st, a, func(hist []Promotion) (Promotion, GateInput, error) {
		if c.isProduction(req.Env) && c.ranProduction(hist) {
			if err := c.checkRollbackTarget(ctx, st, rec, hist); err != nil {
				if _, ok := errors.AsType[*RollbackTargetError](err); ok {
					return p, GateInput{}, refusal{err}
				}
				return p, GateInput{}, err
			}
		}
		if idx > 0 {
			prevEnv := c.order[idx-1]
			ran, ok := lastDigest(hist, req.Release, prevEnv)
			if !ok {
				return p, GateInput{}, refusal{refused("previous environment skipped", nil, "%s never reached %s before %s", req.Release, prevEnv, req.Env)}
			}
			if !ranDigest(hist, req.Release, prevEnv, req.Digest) {
				return p, GateInput{}, refusal{&DriftError{Release: req.Release, Env: req.Env, Previous: prevEnv, Ran: ran, Got: req.Digest}}
			}
		}
		override, refusedRec, err := promoteAcrossMigration(ctx, st, hist, req)
		if refusedRec {
			return p, GateInput{}, refusal{err}
		}
		if err != nil {
			return p, GateInput{}, err
		}
		p.AcrossMigration = override
		target, err := c.gateTarget(ctx, st, rec)
		if err != nil {
			return p, GateInput{}, err
		}
		return p, GateInput{Record: rec, RollbackTarget: target}, nil
	})
}

// lookupRecord returns the record of release from st, errors prefixed
// with op ("promote v1.3.0"). refused says that the error refuses the
// request, to be logged as a denial: no such record, none that is valid
// under that name, or the record of another tag; otherwise the store
// failed.
func lookupRecord(ctx context.Context, st Records, op, release string) (rec Record, refused bool, err error) {
	rec, err = st.Record(ctx, release)
	if err != nil {
		refused := errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalidRecord) || errors.Is(err, ErrInvalidName)
		return Record{}, refused, fmt.Errorf("%s: %w", op, err)
	}
	if err := CheckRecordTag(release, rec); err != nil {
		return Record{}, true, fmt.Errorf("%s: %w", op, err)
	}
	return rec, false, nil
}

// A refusal is an error of appendPromotion's decide that refuses the
// request (and is logged as a denial), as opposed to a failure to read the
// store.
type refusal struct{ err error }

func (r refusal) Error() string { return r.err.Error() }

// appendPromotion is the compare-and-swap loop of Promote, Rollback,
// PromoteManifest and RollbackManifest: it reads the verified history
// (readHistory: the promotions and the log's length), has
// decide check the request against the history and return the promotion
// (and the gate's input without Promotion and History, which it fills),
// consults the gate, and appends the promotion, or a's denial when decide
// (with a refusal) or the gate refused. When another writer appended
// first, it starts over on the new log.
func (c config) appendPromotion(ctx context.Context, st Log, a *attempt, decide func(hist []Promotion) (Promotion, GateInput, error)) (Entry, error) {
	var last error // the refusal of the last round, when its denial lost the race
	for range maxAppendRetries {
		size, hist, err := readHistory(ctx, st)
		if err != nil {
			if last != nil {
				return Entry{}, notLogged(last, err)
			}
			return Entry{}, err
		}
		p, in, err := decide(hist)
		if err != nil {
			r, ok := err.(refusal)
			if !ok {
				return Entry{}, err
			}
			e, conflict, err := a.refuseAfter(ctx, size, r.err, "", &p)
			if conflict {
				last = r.err
				continue
			}
			return e, err
		}
		if c.gate != nil {
			in.Promotion, in.History = p, hist
			w, g, no, err := c.gateDecision(ctx, st, in)
			if err != nil {
				if no != nil {
					return Entry{}, notLogged(no, err)
				}
				return Entry{}, err
			}
			if no != nil {
				e, conflict, err := a.refuseAfter(ctx, size, no, g, &p)
				if conflict {
					last = no
					continue
				}
				return e, err
			}
			p.Window, p.Gate = w, g
		}
		last = nil
		p.PromotedAt = c.now().UTC()
		e, err := st.Append(ctx, Entry{Seq: size + 1, Kind: KindPromotion, Promotion: &p})
		if errors.Is(err, ErrConflict) {
			continue
		}
		return e, err
	}
	err := fmt.Errorf("%w: gave up after %d attempts", ErrConflict, maxAppendRetries)
	if last != nil {
		return Entry{}, notLogged(last, err)
	}
	return Entry{}, err
}

// checkApproval refuses a request without the approval env needs, or with
// an incomplete emergency-change record.
func (c config) checkApproval(env, approver, reason string, em *EmergencyChange) error {
	if c.approval[env] && (invisible(approver) || invisible(reason)) {
		err := fmt.Errorf("%w: %s needs an approver and a reason", ErrApprovalRequired, env)
		if invisible(approver) {
			// Nobody approved: the approval separation of duties asks for.
			return withControls(err, controlSoD)
		}
		return err
	}
	if em != nil {
		if err := checkEmergency(em); err != nil {
			// The record a change outside the window needs.
			return withControls(err, controlWindow)
		}
		if now := c.now(); !em.Expires.IsZero() && !now.Before(em.Expires) {
			// A time-bounded emergency is over (§1.21.3.6).
			return withControls(fmt.Errorf("%w: emergency change %s expired at %s", ErrApprovalRequired, em.ID, em.Expires.UTC().Format(time.RFC3339)), controlWindow)
		}
	}
	return nil
}

// checkRollback refuses a rollback of an unknown environment, one whose
// actor is not its releaser or not verified where it must be, one without
// an approver and a reason, or one with an incomplete emergency record. It
// returns the releaser and the actor.
func (c config) checkRollback(req RollbackRequest) (string, *Actor, error) {
	if !slices.Contains(c.order, req.Env) {
		return "", nil, fmt.Errorf("%w: %q (order %v)", ErrUnknownEnv, req.Env, c.order)
	}
	releaser, actor, err := c.identify(req.Env, req.Releaser, req.Actor)
	if err != nil {
		return "", nil, err
	}
	if invisible(req.Approver) || invisible(req.Reason) {
		err := fmt.Errorf("%w: rollback of %s needs an approver and a reason", ErrApprovalRequired, req.Env)
		if invisible(req.Approver) {
			return "", nil, withControls(err, controlSoD)
		}
		return "", nil, err
	}
	if err := c.checkApproval(req.Env, req.Approver, req.Reason, req.Emergency); err != nil {
		return "", nil, err
	}
	return releaser, actor, nil
}

// readLog reads the log and refuses to build on one that does not verify:
// a promotion decided on a tampered history would launder it.
func readLog(ctx context.Context, st Log) ([]Entry, error) {
	entries, err := st.Entries(ctx)
	if err != nil {
		return nil, err
	}
	if err := VerifyLog(entries, nil); err != nil {
		return nil, err
	}
	return entries, nil
}

// A promotionIndex is a log that indexes its promotion entries
// ([DirStore.Promotions], [GitStore.Promotions]): it returns the length
// of its committed tree and those entries, each checked against the
// tree's leaf.
type promotionIndex interface {
	Promotions(ctx context.Context) (size uint64, promotions []Entry, err error)
}

// readHistory returns the length of the log and its promotions, oldest
// first, refusing to build on a log that does not verify. A store that
// keeps a Merkle tree and indexes its promotions is trusted for the chain
// of its committed tree, which it checked as each entry joined the tree,
// and returns only the promotions, each checked against the tree's leaf:
// a promotion reads what it decides on, not the whole log. Any other
// store's log is read whole and verified ([VerifyLog]).
func readHistory(ctx context.Context, st Log) (uint64, []Promotion, error) {
	if pi, ok := st.(promotionIndex); ok {
		size, es, err := pi.Promotions(ctx)
		if err != nil {
			return 0, nil, err
		}
		return size, promotions(es), nil
	}
	entries, err := readLog(ctx, st)
	if err != nil {
		return 0, nil, err
	}
	return uint64(len(entries)), promotions(entries), nil
}

// refuseAfter is refuseAt for a refusal decided on a log of size entries.
func (a *attempt) refuseAfter(ctx context.Context, size uint64, err error, gate string, p *Promotion) (e Entry, conflict bool, rerr error) {
	d := a.denial(err, gate, p)
	if cerr := ctx.Err(); cerr != nil {
		return Entry{}, false, notLogged(err, cerr)
	}
	e, lerr := a.st.Append(ctx, Entry{Seq: size + 1, Kind: KindDenied, Denial: &d})
	if errors.Is(lerr, ErrConflict) {
		return Entry{}, true, nil
	}
	if lerr != nil {
		return Entry{}, false, notLogged(err, lerr)
	}
	return e, false, err
}

// lastDigest returns the digest of release's latest promotion to env.
func lastDigest(hist []Promotion, release, env string) (string, bool) {
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].Manifest == nil && hist[i].Release == release && hist[i].Env == env {
			return hist[i].Digest, true
		}
	}
	return "", false
}

// ranDigest reports whether digest of release was promoted to env (a
// release with several artifacts promotes each).
func ranDigest(hist []Promotion, release, env, digest string) bool {
	for _, p := range hist {
		if p.Manifest == nil && p.Release == release && p.Env == env && p.Digest == digest {
			return true
		}
	}
	return false
}

// Current returns the promotion env runs now (the latest to env, of a
// record or a manifest), or false.
func Current(entries []Entry, env string) (Promotion, bool) {
	hist := promotions(entries)
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].Env == env {
			return hist[i], true
		}
	}
	return Promotion{}, false
}

// latest returns the latest promotion to env of a manifest (manifests
// true) or of a record (false).
func latest(hist []Promotion, env string, manifests bool) (Promotion, bool) {
	for i := len(hist) - 1; i >= 0; i-- {
		if hist[i].Env == env && (hist[i].Manifest != nil) == manifests {
			return hist[i], true
		}
	}
	return Promotion{}, false
}

// Rollback redeploys the last known-good release to req.Env by promoting its
// already-published digest again (§1.22.3.3: never a rebuild). The
// known-good release is the current record's rollback target if env ran it
// before, otherwise the latest earlier release env ran; neither may be a
// release rolled back from and not promoted to env again since. Rollback needs an approver and reason like any
// approval-gated promotion (ErrApprovalRequired), takes the
// emergency-change record of a rollback outside the window in
// req.Emergency, consults the Gate, and
// returns a *RefusalError "no known-good release to roll back to" when there is nothing to return
// to. It refuses, with a *RefusalError "rollback crosses an irreversible
// migration", to roll env back across a release whose record marks a
// [Migration] without a safe rollback (one env ran after the target, up to
// the one it runs now), unless req.AcrossMigration says why it is safe,
// which is recorded with the releases crossed. req.Mechanism is recorded
// (MechanismRedeploy when empty; another value is a *FieldError
// "mechanism" "unknown mechanism", not logged). req.Actor and req.Releaser are checked as Promote checks them (an
// oversized one is a *FieldError, not logged), and every other refusal is
// logged as a [KindDenied] entry as Promote logs it (Action "rollback"). The logged Promotion has RollbackFrom set. Rollback considers record
// promotions only; [RollbackManifest] rolls back manifests. It restores one digest: the
// one of the known-good release that env ran last; a release of several
// artifacts needs a Promote for each other artifact.
func Rollback(ctx context.Context, st Store, req RollbackRequest, opts ...Option) (Entry, error) {
	c := newConfig(opts)
	requested := c.now().UTC()
	if err := checkRequester(req.Releaser, req.Actor); err != nil {
		return Entry{}, err
	}
	mechanism, err := req.mechanism()
	if err != nil {
		return Entry{}, err
	}
	a := c.newAttempt(st, Denial{Action: AttemptRollback, Env: req.Env, Approver: req.Approver, Reason: req.Reason, At: requested}, req.Releaser, req.Actor)
	releaser, actor, err := c.checkRollback(req)
	if err != nil {
		return a.refuse(ctx, err)
	}
	if err := c.authorize(req.Env, ActionRollback, releaser, req.Approver, req.Emergency); err != nil {
		return a.refuse(ctx, err)
	}
	env := req.Env
	return c.appendPromotion(ctx, st, a, func(hist []Promotion) (Promotion, GateInput, error) {
		cur, ok := latest(hist, env, false)
		if !ok {
			return Promotion{}, GateInput{}, refusal{refused("no known-good release to roll back to", nil, "nothing was promoted to %s", env)}
		}
		target, err := knownGood(ctx, st, hist, env, cur)
		if err != nil {
			return Promotion{}, GateInput{}, refusal{err}
		}
		rec, refusedRec, err := lookupRecord(ctx, st, "rollback "+env, target.Release)
		if refusedRec {
			return target, GateInput{}, refusal{err}
		}
		if err != nil {
			return Promotion{}, GateInput{}, err
		}
		crossed, refusedRec, err := crossedMigrations(ctx, st, hist, env, target)
		if refusedRec {
			return target, GateInput{}, refusal{err}
		}
		if err != nil {
			return Promotion{}, GateInput{}, err
		}
		override, err := migrationOverride(env, cur.Release, target.Release, crossed, req.AcrossMigration)
		if err != nil {
			return target, GateInput{}, refusal{err}
		}
		signer, err := c.verifyTag(ctx, env, rec, requested)
		if err != nil {
			return target, GateInput{}, refusal{err}
		}
		p := Promotion{
			Release: target.Release, Env: env, Digest: target.Digest,
			Approver: req.Approver, Reason: req.Reason, RequestedAt: requested,
			RollbackFrom: cur.Release, Emergency: req.Emergency, TagSigner: signer,
			Mechanism: mechanism, AcrossMigration: override,
		}
		c.stamp(&p, releaser, actor)
		rt, err := c.gateTarget(ctx, st, rec)
		if err != nil {
			return Promotion{}, GateInput{}, err
		}
		return p, GateInput{Record: rec, RollbackTarget: rt}, nil
	})
}

// knownGood returns the promotion Rollback returns env to: the current
// record's rollback target, else the latest earlier release env ran. A
// release rolled back from (in any environment) and not promoted to env
// since is not known-good, nor is the current one.
func knownGood(ctx context.Context, st Store, hist []Promotion, env string, cur Promotion) (Promotion, error) {
	bad := map[string]bool{}
	hist = slices.DeleteFunc(slices.Clone(hist), func(p Promotion) bool { return p.Manifest != nil })
	for _, p := range hist {
		if p.Env == env {
			bad[p.Release] = false
		}
		if p.RollbackFrom != "" {
			bad[p.RollbackFrom] = true
		}
	}
	bad[cur.Release] = true
	if rec, err := st.Record(ctx, cur.Release); err == nil && rec.Rollback.Version != "" && !bad[rec.Rollback.Version] {
		for i := len(hist) - 1; i >= 0; i-- {
			p := hist[i]
			if p.Env == env && p.Release == rec.Rollback.Version && (rec.Rollback.Digest == "" || rec.Rollback.Digest == p.Digest) {
				return p, nil
			}
		}
	}
	for i := len(hist) - 1; i >= 0; i-- {
		p := hist[i]
		if p.Env == env && !bad[p.Release] {
			return p, nil
		}
	}
	return Promotion{}, refused("no known-good release to roll back to", nil, "%s has run only %s", env, cur.Release)
}
