// Package audit answers an auditor's questions from the evidence the other
// releasekit packages leave behind: who changed what, who approved it, what
// ran in production, and when (policy §1.5.2; with audit/bundle and
// audit/metrics also §1.7 and §1.21.3.4).
//
// Everything starts from [Sources]: the code repository with its signed
// release tags, the manifest store with the release records and the
// hash-chained promotion log (whose entries carry the digest of the policy
// report that gated each promotion), the directory the SBOMs and provenance
// envelopes were written to, and the keys the auditor trusts. Only the
// store is required; a missing source turns the links that need it into
// gaps, never into passes. Signatures are checked at Sources.At, never at a
// date taken from the signed data.
//
// # Trails (§1.5.2)
//
// [Trail] reconstructs, for a release tag, a version, an artifact digest or
// a commit, the whole chain: tickets → pull requests and commits (the range
// from the previous release) → the release tag and its signature → the
// artifacts → SBOM and provenance bound to them → every promotion with its
// approver, time, change window or emergency-change record, and rollbacks →
// the policy report that gated each promotion. Each [Link] is Verified,
// Recorded (present but not checkable, for example without a key), a Gap
// (missing evidence) or Failed (with its typed error, a *[TrailError] when
// the evidence contradicts the record); [TrailReport.Err] joins the gaps
// and failures.
//
// # Every attempt (§1.21.3.3, §1.21.3.4)
//
// The trail also shows, in log order among the promotions, every attempt
// about the release the log holds: the refused ones (manifest.KindDenied:
// action, environment, who asked — a name, verified from a CI token with
// its issuer and subject or typed — the controls that refused it, the
// refusal, when; [StepDenied], [DenialInfo]) and the outcomes of its
// deployments (manifest.KindDeployment: started, succeeded or failed with
// the error, the targets, branch and commit, who reported it, when;
// [StepDeployment], [DeploymentInfo]), each followed by the changed-files
// manifest it names, read from the store's evidence and checked with
// [VerifyChangedFiles] ([StepChanges], [ChangesInfo]). Promotions show who
// triggered them ([PromotionInfo].Actor). The findings stay factual: a
// refused attempt is evidence that a control worked, never a gap; a
// production deployment that failed with no later success of the release
// there fails the trail ([ReasonDeploymentFailed]); a deployment naming a
// digest that is not the record's fails ([ReasonDigestMismatch]); a
// changed-files manifest that is missing is a gap, one that does not match
// its entry fails ([ReasonChangedFiles]); and where the configuration
// requires a verified identity ([Sources].VerifiedIdentity), a promotion,
// rollback or deployment outcome by a typed one is a gap, as a promotion let
// through by an unsafe option is ([ReasonUnverifiedActor]).
//
// [ViewEntry] flattens one log entry into a [LogEntry], the log as an
// auditor reads it entry by entry (who, verified or typed; what; when;
// where; the result; why) and what relctl log show prints
// ([LogEntry.WriteText], or its JSON).
//
// [Lookup] and [LookupTicket] answer the reverse question: which production
// releases contain a commit or a ticket, following backports and
// forward-ports through the "(cherry picked from commit …)" lines that
// git cherry-pick -x writes. [Compare] says what changed between two
// releases: commits, tickets, pull requests, approvals, and for archive
// artifacts (tar, tar.gz, zip; read by [ListArchive] within limits) the
// files added, removed and changed by SHA-256.
//
// # Evidence bundles and delivery metrics
//
// Two packages build on audit and its [Sources]: audit/bundle collects one
// release's evidence into a self-contained bundle and verifies it offline
// (§1.21.3.4); audit/metrics computes the delivery metrics and writes the
// release-health report (§1.7). [Status] is the one status vocabulary of
// all three: a trail prints it as is ("verified", "recorded", "gap",
// "failed"), a bundle check as "pass", "not-checked" or "fail", the health
// report as "OK", "unverified", "missing", "FAILED" or "n/a"
// ([NotApplicable]).
//
// Release records link to incidents and hotfixes through the Extra keys
// [ExtraIncident], [ExtraHotfixFor] and [ExtraComponent].
package audit
