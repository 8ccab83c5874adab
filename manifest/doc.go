// Package manifest keeps the evidence of a release: the release record, the
// pinned multi-repo manifest, and an append-only, tamper-evident log of
// promotions that proves the same artifact went from dev to production.
//
// It serves the release policy's system of record (§1.20.3.1) and its
// minimum release metadata (§1.12.6.3); the signed multi-repo manifest of
// coordinated releases (§1.18.3.3, and the "signed release manifest" of
// §1.12.3.5 Exception); artifact immutability and environment progression
// with approvals (§1.13.3.2, §1.13.3.3); and rollback by redeploying a
// previously published digest, never a rebuild (§1.22.3.3).
//
// A release job records what it built, and a promotion job moves that exact
// digest forward, one environment at a time:
//
//	st, err := manifest.NewDirStore("release-evidence")
//	rec := manifest.Record{Version: manifest.RecordVersion, Tag: "v1.4.2", Commit: sha, ...}
//	if err := manifest.Check(rec).Err(); err != nil { ... } // every missing field
//	err = st.PutRecord(ctx, rec)
//	_, err = manifest.Promote(ctx, st, manifest.PromoteRequest{
//		Release: "v1.4.2", Env: "prod", Digest: "sha256:…",
//		Approver: "alice@example.com", Reason: "CHG-1234 approved",
//	}, manifest.WithGate(policyGate), manifest.WithTagVerifier(tags))
//	_, err = manifest.Rollback(ctx, st, manifest.RollbackRequest{Env: "prod", Approver: "bob@example.com", Reason: "error rate"})
//
// # Sections
//
//   - Release records: [Record], [ParseRecord], [MarshalRecord], [Check],
//     [CheckReport], [Artifact], [ValidateDigest]
//   - Manifests: [Manifest], [Repo], [Marshal], [ParseManifest], [Manifest.Digest],
//     [Sign], [Open], [Diff], [Namespace]
//   - The log: [Entry], [VerifyLog], [Checkpoint], [SignCheckpoint],
//     [OpenCheckpoint], [ChainError]
//   - The log's Merkle tree: [TreeLog], [LeafData], [EntryLeafHash],
//     [VerifyTree], [ProveEntry], [InclusionProof], [ParseInclusionProof],
//     [ProveConsistency], [VerifyExtends]
//   - Promotion and rollback: [Promote], [Rollback], [PromoteRequest], [RollbackRequest], [Promotion],
//     [Gate], [TagVerifier], [DriftError], [GateError], [RefusalError],
//     [Current], [CheckRollbackTarget], [RollbackTargetError], [Migration],
//     [CheckRecordTag]
//   - Gate evidence: [EvidenceGate], [EvidenceStore], [ErrEvidenceDigest]
//   - Promoting a manifest: [PromoteManifest], [RollbackManifest],
//     [ManifestRequest], [WithManifestVerifier]
//   - Deployment events: [Event], [NewEvent], [SignEvent], [OpenEvent],
//     [SignedEvent], [DirTransport], [DeployResult], [RecordResult]
//   - Attempts: [Actor], [ActorClaims], [TokenSummary], [Denial], [Deny],
//     [Controls], [WithVerifiedIdentity], [DenialError], [KindDenied]
//   - Deployments: [DeploymentReport], [ReportDeployment], [Deployment],
//     [TreeChanges], [PreviousRelease], [ChangedFiles], [FileChange],
//     [ChangedFilesSummary], [ParseChangedFiles], [RevisionError],
//     [KindDeployment]
//   - Stores: [Store], [Records], [Log], [DirStore], [GitStore], [VerifyStore],
//     [DirStore.Promotions], [GitStore.Promotions]; retention
//   - Errors: the sentinels callers branch on ([ErrInvalidRecord],
//     [ErrNotFound], [ErrApprovalRequired], ...), and [RefusalError],
//     [FormatError] and [FieldError], whose Reason tells the other failures
//     apart
//
// # Release records
//
// A [Record] has a documented, versioned JSON form ([RecordVersion]).
// [ParseRecord] is strict: unknown fields, duplicate keys (also keys that
// differ only in case, which Go's decoder would match to one field; this
// holds for ParseManifest and ParseEntry too), trailing data, another version,
// a digest that is not "sha256:" and 64 lowercase hex digits
// ([ErrInvalidDigest]) and two artifacts whose names differ only in case
// (a [FormatError] "duplicate artifact name") are errors. A record that
// parses can still be incomplete: [Check] lists every missing or malformed
// field at once, and [CheckReport.Err] is a [FormatError] "release record
// incomplete". Promote refuses an incomplete
// record.
//
// The record's JSON form, version 1 (MarshalRecord writes it canonical, on
// one line; shown indented). Optional keys are omitted when empty: "uri",
// "sha512" and "sbom" of an artifact, "original_pr"/"original_sha" of a
// non-backport PR, "promotions" (the promotion log, when a caller copies it
// into the record) and "extra" (free-form annotations). "known_issues" is []
// when there are none and null when nobody said.
//
//	{
//	  "artifacts": [
//	    {"digest": "sha256:60c5764e…", "name": "app", "uri": "registry.example.com/app"}
//	  ],
//	  "checks": [{"name": "unit", "passed": true}],
//	  "commit": "1111111111111111111111111111111111111111",
//	  "known_issues": [],
//	  "production_window": {"end": "2026-01-05T11:00:00Z", "start": "2026-01-05T09:00:00Z"},
//	  "provenance": {"build_id": "run-7", "ref": "att://run-7"},
//	  "prs": [
//	    {"ref": "#42"},
//	    {"original_pr": "#31", "original_sha": "2222222222222222222222222222222222222222", "ref": "#40"}
//	  ],
//	  "rollback": {"digest": "sha256:74106dfe…", "method": "redeploy previous digest", "version": "v1.4.1"},
//	  "sbom": {"digest": "sha256:98f3ae1e…", "ref": "sbom.cdx.json"},
//	  "tag": "v1.4.2",
//	  "tickets": ["CHG-1234"],
//	  "version": 1
//	}
//
// # Manifests and signatures
//
// [Marshal] writes a [Manifest] as canonical JSON in the manner of RFC 8785
// (keys sorted, no insignificant whitespace, minimal string escapes,
// repositories and artifacts sorted by name), so Marshal, ParseManifest and
// Marshal again give the same bytes. [Manifest.Digest] is the SHA-256 of
// those bytes: the candidate's identity, which any change alters.
//
// Signatures are detached and made over the canonical bytes by a
// signature.Signer; [Open] verifies them with a signature.Verifier at an
// explicit time. The package does not import tagging: callers pass
// signature.OpenPGPSigner or signature.SSHSigner and the matching verifiers
// as they are. Build SSH signers and verifiers with [Namespace]
// ("releasekit-manifest"), never tagging.GitNamespace, so that a manifest
// signature can never be replayed as a git tag signature or the reverse.
//
// # The log
//
// Every promotion is an [Entry] in an append-only log. Each entry carries
// the hash of the one before it, so [VerifyLog] detects any edited, removed,
// reordered or inserted entry ([ErrTampered], as a *[ChainError]). A chain
// alone cannot show that its tail was cut off or its last entry rewritten;
// a [Checkpoint] (count and head hash), signed with [SignCheckpoint] and kept
// apart from the log, can ([ErrTruncated]).
//
// A [TreeLog] also keeps the RFC 6962 Merkle tree of its entries (package
// tlog; leaf i is the canonical JSON of the entry whose Seq is i+1), so
// the log's cost does not grow with its length: an append writes O(log N)
// node hashes and never reads the log; [ProveEntry] shows one entry is in
// a checkpointed tree with O(log N) hashes ([InclusionProof], which
// transparency-dev/merkle's verifier checks alone); [ProveConsistency] and
// [VerifyExtends] show that a newer tree extends an older one, so a log
// cut back ([ErrTruncated]) or rewritten (tlog.ErrProof) between two
// checkpoints is caught without reading its entries. [VerifyTree] reads
// every entry once, streaming, and checks both the chain and that the
// entries rebuild the stored tree. [DirStore] and [GitStore] are TreeLogs;
// the chain stays, so logs written before the tree still verify, and a
// store gains its tree on first use. They also index their promotion
// entries ([DirStore.Promotions]), bound to the tree by the leaf hashes,
// so that [Promote] and [Rollback] read the promotions they decide on
// and trust the committed tree, whose chain the store checked as each
// entry joined it, for the rest of the log.
//
// # Promotion
//
// [Promote] moves a release's artifact digest to an environment in a
// configured order (dev, staging, prod unless [WithOrder] says otherwise)
// and refuses, with a typed error, a digest other than the one the previous
// environment ran ([DriftError]), a skipped environment
// ([RefusalError]), an incomplete record ([FormatError]), a missing
// approval ([ErrApprovalRequired]; by default production needs an approver
// and a reason), a release tag whose signature does not verify
// ([RefusalError], with [WithTagVerifier]) and a refusal of the [Gate]
// ([ErrGateRefused]). Change windows and separation of duties belong to the
// policy package, which implements Gate; manifest does not import it. Each
// logged [Promotion] holds the environment, digest, approver, rationale,
// timestamps from the injected clock ([WithClock]), and the change window or
// emergency-change record used. [Rollback] promotes the last known-good
// release's already-published digest again, records how
// ([RollbackRequest].Mechanism: redeploy, feature-flag, config or hotfix),
// and refuses to roll back across a release whose record marks a
// [Migration] without a safe rollback unless the request says why it is
// safe (RollbackRequest.AcrossMigration, recorded); [Promote] of a release
// the environment ran before is the same step back and is refused the same
// way (PromoteRequest.AcrossMigration). A production promotion
// checks the record's rollback target ([CheckRollbackTarget]: a release
// that ran in production with that digest; [RollbackNone] for a first
// release).
//
// # Production fails closed
//
// A promotion or rollback into a production environment ([WithProduction];
// by default the last of the order) is refused unless every check it needs
// was made (§1.12.3.4, §1.21.3.1–§1.21.3.2): a [TagVerifier] that is also a
// [TagTarget] verifies the release tag and says it points to the record's
// commit (tagging.RepoVerifier does both; for manifests,
// [WithManifestVerifier]), and an [Authorizer] ([WithAuthorizer]; a
// config.Config is one) allows the releaser (PromoteRequest.Releaser) and
// the approver. Nothing reaches production on defaults: each missing check
// is a [RefusalError] naming it ("release tag not verified", "no
// authorization for production", "record commit is not the tag's
// commit", "approver not authorized" ...). The only ways around a check
// are the options named ...Unsafe ([WithSkipSignatureUnsafe],
// [WithSkipAuthorizationUnsafe]), never a default, and each promotion
// records what it was decided under: its releaser, order, production flag,
// the tag's signer, the configuration's digest, and in Unsafe every option
// that let it through ([WithUnsafe] adds the caller's own, such as relctl's
// --order-unsafe). [CheckOrder] finds logged promotions that skipped an
// environment or left the configured order; the audit trail and the
// evidence-bundle verifier report them.
//
// A gate that is an [EvidenceGate] (policy.Gate is) also returns the
// evidence it decided on, the policy report; its digest is logged in
// Promotion.Gate and, when the store is an [EvidenceStore] (DirStore and
// GitStore are), the evidence is kept there by digest, so an audit can show
// the policy results that gated each promotion (§1.5.2, §1.21.3.4).
// [EvidenceStore.Evidence] checks the bytes against the digest
// ([ErrEvidenceDigest]).
//
// # Promoting a manifest
//
// [PromoteManifest] promotes a signed multi-repo [Manifest], identified by
// its content digest, with the same order and rules: the previous environment
// must have run that very digest (a *[RefusalError], or a *[DriftError] when it
// ran another manifest of the same name), the signature must verify when
// [WithManifestVerifier] is given ([signature.ErrBadSignature]), the approval must be
// there and the Gate must allow it (its [GateInput] then has Manifest set).
// The content must hash to the digest (a *RefusalError otherwise). Because any
// change to a manifest changes its digest, a changed manifest is a new
// candidate and starts again at the first environment. The logged
// [Promotion] has Release set to the manifest's name, Digest to its content
// digest and Manifest to the manifest itself, so the log holds every
// repository's tag, commit and artifact digests; [ParseEntry] refuses an
// entry whose manifest does not hash to its digest. [RollbackManifest]
// promotes the previous manifest an environment ran (and was not rolled back
// from) again, from the log, never a rebuild; its RollbackFrom is the digest
// replaced. Record and manifest promotions share one log but not their
// rules: Promote and Rollback ignore manifest promotions and
// PromoteManifest and RollbackManifest ignore record promotions, while
// [Current] reports the latest promotion of either kind.
//
//	_, err = manifest.PromoteManifest(ctx, st, manifest.ManifestRequest{
//		Manifest: m, Digest: "sha256:…", Signature: sig, Env: "prod",
//		Approver: "alice@example.com", Reason: "CHG-1300 approved",
//	}, manifest.WithManifestVerifier(deployKeys), manifest.WithGate(policyGate))
//	_, err = manifest.RollbackManifest(ctx, st, manifest.RollbackRequest{Env: "prod", Approver: "bob@example.com", Reason: "error rate"})
//
// # Stores
//
// A [Store] keeps records and the log. [DirStore] keeps them as files:
// records are replaced atomically (temporary file, fsync, rename) and never
// change or drop an artifact digest once published (a [RefusalError]), and a
// record stored under another release's name is refused ([CheckRecordTag]); each log entry is
// its own file, written completely and then hard-linked to its sequence
// number, which only one writer can win. Appends are therefore safe across
// goroutines and processes, and a writer killed mid-append leaves the store
// readable and verifiable.
//
// [GitStore] keeps the same files in the repository itself, as commits under
// [LogRef] (refs/releasekit/log), so the evidence travels with the code. The
// ref moves by compare-and-swap under git's own lock protocol (LogRef.lock
// created with O_EXCL, checked, written, synced and renamed), so concurrent
// writers never lose an entry and a killed writer never leaves a half-written
// ref; it may leave the lock file, which blocks writers (a [RefusalError]
// "store reference is locked")
// until an operator removes it, as with git. Reading the log reads every
// entry, so an append costs time linear in the log's length.
//
// # Deployment events
//
// After a promotion, [NewEvent] builds the minimal instruction for a deploy
// agent (release, environment, digest, approver, record and log references,
// expiry) and [SignEvent] signs it. A transport carries it ([DirTransport]
// for a directory; other transports are the caller's). The agent verifies it
// offline with [OpenEvent], which refuses a bad signature ([signature.ErrBadSignature])
// and an expired event ([ErrEventExpired]), acts, and reports a
// [DeployResult], which [RecordResult] appends to the log as its own entry
// (or a [DeploymentReport], which [ReportDeployment] checks against the
// promotion and logs with its targets and changed files).
//
// # Attempts
//
// Every attempt is evidence (§1.5.2, §1.21.3.3–§1.21.3.4): not only the
// promotions that went through, but the ones a control stopped. Promote,
// Rollback, PromoteManifest, RollbackManifest and ReportDeployment log
// each refusal as a [KindDenied] entry in the same hash chain before
// returning it: a [Denial] with what was asked (Action "promote",
// "rollback", "promote-manifest", "rollback-manifest" or "deploy-report";
// the release, environment, digest, approver and reason requested), who
// asked (an [Actor]), the refusal's text, bounded to [MaxRefusal] bytes,
// the IDs of the controls that refused ([Controls]), the digest of the
// release configuration it was decided under ([WithConfigDigest]) and,
// for a gate's refusal, the digest of the evidence it decided on (kept in
// an [EvidenceStore]). The refusal is returned unchanged (errors.Is and
// errors.As work as before), with the denial entry. A denial is appended
// with compare-and-swap, like a promotion: one decided on the log (a
// skipped environment, a drift, the gate) is decided again when another
// writer appended first, so it is logged once, on the log it was decided
// on, or not at all when the new log lets the request through. Nothing is
// appended to a log that does not verify, after the context is done, or
// when the store fails: the refusal then comes joined with a
// *[DenialError] saying why it was not logged. [Deny] logs a refusal of
// the caller's own the same way (relctl logs a CI token that does not
// verify); its Action is one of the Attempt constants, and it bounds
// every text it logs (the actor's fields to 1 KiB each), so no input
// makes an entry too large to be read back.
//
// Bad input is refused with a *[FieldError] naming the field, and is not
// logged: an actor with a field longer than 1 KiB or a token of more than
// 16 audiences, or a releaser longer than 1 KiB, in a promotion or a
// rollback; and the malformed fields of a deployment report (below). A
// store refuses to append an entry whose canonical JSON is over
// [MaxStoredFile] bytes (a *[RefusalError] "log entry too large"), which
// it could not read back.
//
// Who acted is an [Actor]: verified from a CI system's OIDC ID token
// (package config turns a token into one: Verified, the issuer and
// subject, the run's claims and a summary of the token, never the token
// itself), or typed. A request's Releaser with no Actor is logged as an
// Actor of that name, unverified. A request with an Actor takes its name
// as the releaser, and refuses another Releaser ("actor is not the
// releaser"). [WithVerifiedIdentity] names the environments where only a
// verified actor may promote, roll back or report a deployment ("verified
// identity required"). Each [Promotion] records its Releaser and Actor.
//
// [Controls] names the controls of the release policy (package policy,
// which manifest does not import) that a refusal answers to: those of a
// gate's refusal (policy.DeniedError reports its failed controls), and
// those whose check manifest makes itself:
//
//	refusal                                           control
//	*DriftError; "digest not in the release record"   REL-DIGEST-001  the same artifact digest in every environment
//	*FormatError "release record incomplete"          REL-RECORD-001  the release record is complete
//	"release tag not verified", "release tag
//	  signature does not verify", "record commit not
//	  checked", "record commit is not the tag's
//	  commit"                                         REL-TAG-001     the release tag is signed and not moved
//	"no authorization for production", "releaser not
//	  authorized", "approver not authorized",
//	  "emergency approver not authorized", "reporter
//	  not authorized", "verified identity required",
//	  "actor is not the releaser"                     REL-ENV-001     who may deploy and approve in each environment
//	"approver is the releaser", "emergency approver
//	  is the releaser"; ErrApprovalRequired without
//	  an approver                                     REL-SOD-001     approved by someone other than who made the change
//	ErrApprovalRequired for an incomplete
//	  emergency-change record                         REL-WINDOW-001  a change window, or a complete emergency record
//
// Other refusals answer to no control and name none: an unknown
// environment, a missing record, a malformed digest or manifest, a
// skipped environment, a manifest whose content or signature does not
// check out, no known-good release, a missing reason, an actor without a
// name.
//
// # Deployments
//
// A promotion says what may run; a deployment says what happened. The job
// that deploys reports it with [ReportDeployment]: started, succeeded, or
// failed with its error; the targets (servers, clusters) it deployed to;
// the branch and commit; who reports it; and the files that changed. It
// is logged as a [KindDeployment] entry, a [Deployment] bound to the
// promotion it carries out (its Seq and digest). A deployment is reported
// by someone: a report needs an [Actor] with a name, and an [Authorizer]
// ([WithAuthorizer]) decides whether that actor may deploy to the
// environment ([ActionDeploy]); without one, a report for a production
// environment is refused ("no authorization for production"), as a
// production promotion is, unless [WithSkipAuthorizationUnsafe] lets it
// through and the entry's Unsafe says so. A report refused by these
// checks, or for an unknown environment, a release without a record, a
// release the environment was not promoted to, or an identity that is not
// verified where one is required, is logged as a denial. Bad input (no
// actor, a malformed field) is a *[FieldError] naming the field, and is
// not logged.
//
// The files that changed are a [ChangedFiles] manifest: each path added,
// modified or deleted between what the environment ran before
// ([PreviousRelease]) and the release, with the SHA-256 of its content
// before and after. [TreeChanges] computes it from the git trees of two
// release tags (submodules are skipped; at most [MaxChangedFiles] files are
// listed, all counted). ReportDeployment keeps the manifest as evidence
// in the store, by digest, and logs its summary ([ChangedFilesSummary]);
// [ParseChangedFiles] reads it back.
//
//	entries, err := st.Entries(ctx)
//	from, _ := manifest.PreviousRelease(entries, "prod", "v1.4.2")
//	changes, err := manifest.TreeChanges(ctx, repo, from, "v1.4.2")
//	_, err = manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{
//		Release: "v1.4.2", Env: "prod", Result: manifest.ResultSucceeded,
//		Targets: []string{"k8s/prod-eu"}, Actor: &actor, Changes: changes,
//	}, manifest.WithVerifiedIdentity("prod"), manifest.WithAuthorizer(cfg))
//
// # Retention
//
// No function of this package deletes a log entry, a record or a piece of
// evidence, or rewrites a log entry: the log only grows, evidence is only
// added, and a record is only replaced by one that keeps every artifact
// digest it published. Keeping them for the
// audit period (12 months by default) is the operator's part, and the
// stores leave it in the hands of tools made for it:
//
//   - DirStore: back the directory up (or sync it) to storage that keeps
//     versions or refuses deletion for the retention period, such as an
//     object-storage bucket with versioning and a retention lock (WORM),
//     and restore by copying back. Files are written once under their
//     sequence number or digest, so an incremental copy is complete.
//     Keep a signed checkpoint (the tree's size and root) apart from the
//     directory, so that a restored copy is checked for truncation and
//     rewriting ([VerifyExtends]; [VerifyStore] with a [Checkpoint]).
//   - GitStore: push [LogRef] to a remote that protects it: a protected
//     ref on the hosting service, or receive.denyDeletes and
//     receive.denyNonFastForwards set on the receiving repository (git
//     config), so the ref can neither be deleted nor rewritten; git's
//     garbage collection never removes what a ref reaches. Mirror it to a
//     second remote or a bundle in WORM storage for the retention period.
//
// A log kept longer than the period is still a valid log: entries are
// never expired by this package, and cutting an old prefix off would
// break the chain, so archive a whole log and start a new store instead.
//
// # Concurrency
//
// All functions and DirStore are safe for concurrent use. Promote,
// Rollback, PromoteManifest, RollbackManifest, ReportDeployment and Deny
// append with compare-and-swap on the log length and re-check the log
// when another writer got there first. Slices in returned values are
// owned by the caller.
package manifest
