// Command relctl is the releasekit CI command: it computes the next release
// version from Conventional Commits, parses commit messages, prints the
// parsed history of a range, creates and verifies signed release tags, and
// makes and checks SBOMs and provenance, keeps release records, signed
// multi-repo manifests and an append-only promotion log, and answers
// auditors (audit trails, evidence bundles, release health reports), with
// JSON output a pipeline can script against.
//
// Usage:
//
//	relctl next  [--repo DIR | --demo] [--rev REV] [--prefix v] [--component NAME] [--channel alpha|beta|rc] [--branch BRANCH] [--strict] [--json]
//	relctl parse [--json] < message
//	relctl log   [--repo DIR | --demo] [--since REV] [--rev REV] [--path DIR] [--first-parent]
//	relctl changelog [--repo DIR | --demo] [--since REV] [--rev REV] [--version TAG] [--format markdown|keepachangelog|json] [--all] [--write FILE] ...
//	relctl release-notes --release TAG [--format markdown|json] [--out FILE] (--store DIR | --git-store REPO | --oci-store REF) ...
//	relctl tag   --name TAG --rev REV (--sign openpgp --key FILE | --sign ssh --key FILE | --unsigned) [--passphrase-env VAR] [--tagger "Name <email>"] [--message-file FILE] [--push REMOTE] [--repo DIR] [--json]
//	relctl verify --tag TAG [--keyring FILE | --allowed-signers FILE] [--repo DIR] [--json]
//	relctl sbom [generate|check|attest] ...
//	relctl provenance [verify] ...
//	relctl record init|add-artifact|attach-sbom|set|check|show --release TAG ...
//	relctl manifest build|sign|verify|diff ...
//	relctl promote --release TAG --env ENV --digest D --releaser ID --approver ID --reason TEXT ...
//	relctl rollback --env ENV --releaser ID --approver ID --reason TEXT ...
//	relctl log verify [--checkpoint FILE] ...
//	relctl log verify --from OLD --to NEW ...
//	relctl log checkpoint --sign-key KEY [--origin ORIGIN] ...
//	relctl log prove --entry N [--checkpoint FILE] ...
//	relctl log show [--json] [--env ENV] [--release TAG] ...
//	relctl deploy report --release TAG --env ENV --result started|succeeded|failed [--error TEXT] [--target NAME]... [--id-token FILE] ...
//	relctl policy [--config FILE] [--range A..B] [--pr FILE] [--format text|json|sarif|junit] ...
//	relctl policy controls [--format markdown|json]
//	relctl audit trail (--release TAG | --digest D | --commit SHA | --ticket ID) (--store DIR | --git-store REPO) ...
//	relctl audit bundle --release TAG --out FILE (--store DIR | --git-store REPO) ...
//	relctl audit verify-bundle [--allowed-signers FILE | --keyring FILE] [--provenance-key FILE] BUNDLE
//	relctl audit report --since DATE --until DATE [--format html|markdown|json] --out FILE ...
//	relctl audit compare --from TAG --to TAG (--store DIR | --git-store REPO) ...
//
// Commands that read a git repository use --repo DIR, else the repository
// around the working directory; outside one they exit 2 naming the
// directory. Only with --demo do next, log and changelog run on a demo
// repository they create in a temporary directory (and remove), so
//
//	go run ./cmd/relctl next --demo --json
//
// shows a real result on a fresh machine.
//
// Install a released version, the one a pipeline pins, with
//
//	go install github.com/releasekit/releasekit/cmd/relctl@VERSION
//
// (VERSION a module version such as v1.4.0, or a commit); relctl --version
// prints the version it was built from and the exit codes.
//
// Exit codes: 0 success; 1 the operation failed (a control or verification
// failed, an audit trail has gaps or failed links, an evidence bundle fails
// verification, the repository could not be read); 2 bad usage or bad input
// (an unknown release included: also a missing git repository, and a file
// input that is not a regular file or is larger than its bound, 1 MiB for
// keys, policies, manifests and signatures, 64 MiB for SBOMs and envelopes).
// relctl audit report exits 0 even when the report lists gaps; relctl next
// --strict exits 1 when a commit of the range is not a Conventional Commit.
//
// Under GitHub Actions (GITHUB_ACTIONS=true) next, verify, tag, changelog,
// policy, promote, rollback and audit write step outputs to $GITHUB_OUTPUT
// and a Markdown table to $GITHUB_STEP_SUMMARY, and a failure adds an ::error
// annotation on stderr; under GitLab CI (GITLAB_CI=true) they append a dotenv
// report (RELCTL_NEXT=v1.3.0 ...) to $RELCTL_DOTENV, else relctl.env. relctl
// log and changelog --all show their progress on stderr when it is a
// terminal.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := runCI(ctx, ciEnvFrom(os.Getenv), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// usageError marks errors caused by bad usage or bad input (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// errSilent reports failure through the exit code only: the command has
// already printed what went wrong.
var errSilent = errors.New("relctl: failed")

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ue usageError
	if !errors.Is(err, errSilent) {
		fmt.Fprintln(stderr, "relctl:", err)
	}
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

const usage = `relctl: releases from Conventional Commits

Usage:
  relctl next  [--repo DIR | --demo] [--rev REV] [--prefix v] [--component NAME] [--channel alpha|beta|rc]
               [--branch release/X.Y|hotfix/X.Y.Z-ID] [--strict] [--json]   (default: the branch checked out)
  relctl parse [--json] < message
  relctl log   [--repo DIR | --demo] [--since REV] [--rev REV] [--path DIR] [--first-parent]
  relctl changelog [--repo DIR | --demo] [--since REV] [--rev REV] [--version TAG] [--date YYYY-MM-DD]
               [--format markdown|keepachangelog|json] [--all] [--unreleased] [--write FILE]
               [--component NAME --path DIR] [--template FILE]
  relctl release-notes --release TAG [--repo DIR] [--format markdown|json] [--out FILE]
               (--store DIR | --git-store REPO | --oci-store REF)   (§2.6 notes from the record, changelog and log)
  relctl tag   --name TAG --rev REV (--sign openpgp --key FILE | --sign ssh --key FILE | --unsigned)
               [--passphrase-env VAR | --passphrase-file FILE] [--tagger "Name <email>"]
               [--message-file FILE] [--push REMOTE] [--prefix v] [--repo DIR] [--json]
  relctl verify --tag TAG [--keyring FILE | --allowed-signers FILE] [--principal P] [--at RFC3339] [--repo DIR] [--json]
  relctl sbom  [generate] (--binary FILE | --module DIR [--artifact FILE] | --artifact FILE) [--format json|xml] [--spec 1.6] [--out FILE]
  relctl sbom  check --sbom FILE --artifact FILE [--json]
  relctl sbom  attest --sbom FILE --artifact FILE [--key FILE] [--out FILE]
  relctl provenance --artifact FILE [--key FILE] [--out FILE [--json]]
  relctl provenance verify --envelope FILE --artifact FILE --key FILE [--json]
  relctl record init|add-artifact|attach-sbom|set|check|show --release TAG (--store DIR | --git-store REPO) [--json] ...
  relctl manifest build|sign|verify|diff ...
  relctl promote --release TAG --env ENV --digest sha256:HEX --releaser ID --approver ID --reason TEXT [--emergency FILE]
               [--config FILE] [--pr FILE] [--policy FILE] [--store DIR | --git-store REPO] [--json]
               (production: refused unless .releasekit.yaml's trust, permissions and controls pass;
                only --skip-signature-unsafe, --order-unsafe, --trust-override-unsafe and
                --config-override-unsafe weaken a check, each recorded in the log entry)
  relctl promote --manifest FILE [--sig FILE] --env ENV --releaser ID --approver ID --reason TEXT ...   (a multi-repo manifest)
  relctl rollback --env ENV --releaser ID --approver ID --reason TEXT [--manifest FILE] [--emergency FILE] [--policy FILE ...]
               [--store DIR | --git-store REPO] [--json]
  relctl config validate|explain [--config FILE] [--env ENV] [--format text|markdown|json]
  relctl log verify [--checkpoint FILE] (--store DIR | --git-store REPO) [--json]
  relctl log verify --from OLD --to NEW [--allowed-signers FILE | --note-key FILE] (--store DIR | --git-store REPO) [--json]
               (exit 0 only when NEW's tree extends OLD's: a log cut back or rewritten fails)
  relctl log checkpoint --sign-key KEY [--origin ORIGIN] [--previous FILE] (--store DIR | --git-store REPO)
               (a C2SP tlog-checkpoint of the log's Merkle tree, signed as a note, on stdout)
  relctl log prove --entry N [--checkpoint FILE [--allowed-signers FILE | --note-key FILE]]
               (--store DIR | --git-store REPO) [--json]   (the entry's inclusion proof, as JSON)
  relctl log show [--env ENV] [--release TAG] (--store DIR | --git-store REPO) [--json]
               (every entry: who, verified or typed; what; when; where; result; why)
  relctl deploy report --release TAG --env ENV --result started|succeeded|failed [--error TEXT]
               [--target NAME]... [--id-token FILE] [--repo DIR] (--store DIR | --git-store REPO) [--json]
  relctl release-pr [--component NAME] [--dry-run] --sign ssh|openpgp --key FILE [--json]
               (plan the release PR from git: versions, changelog, version files; signed commit, opened on the forge)
  relctl release --sign ssh|openpgp --key FILE (--store DIR | --no-record) [--json]
               (after the merge: the signed tag, pushed; the forge release with notes; the release record)
  relctl pr facts (--pr N | --commit SHA) [--out pr.json]   (the pull request's facts from the forge, for relctl policy --pr)
  relctl pr comment --pr N --body-file FILE
  relctl status commit|deployment|issue ...   (commit and deployment statuses, the deployment report issue)
  relctl incident record|review --file FILE (--store DIR | --git-store REPO) [--json]
               (an incident record of §1.22.5.2, or the post-incident review of an emergency change)
  relctl verify-production --release TAG --env ENV --check NAME=pass|fail[=URL]... --verifier ID [--incident ID]
               (--store DIR | --git-store REPO) [--json]   (smoke tests and monitoring checks after a promotion)
  relctl change record --file FILE (--store DIR | --git-store REPO) [--json]
               (a configuration or feature-flag change, logged as a production change)
  relctl policy [--config FILE] [--repo DIR] [--range A..B] [--record FILE [--promotion FILE]] [--pr FILE]
               [--format text|json|sarif|junit]   (exit 1 when a control fails)
  relctl policy controls [--format markdown|json]   (every MUST of the policy: the controls, APIs and
               tests that meet it, or why people must)
  relctl audit trail (--release TAG | --digest sha256:HEX | --commit SHA | --ticket ID)
               (--store DIR | --git-store REPO) [--repo DIR] [--evidence DIR]
               [--allowed-signers FILE | --keyring FILE] [--provenance-key FILE] [--checkpoint FILE]
               [--production ENV] [--at RFC3339] [--json]   (exit 1 on gaps or failed links)
  relctl audit bundle --release TAG --out FILE ...        (FILE.tar.gz, or a directory: FILE/)
  relctl audit verify-bundle [--allowed-signers FILE | --keyring FILE] [--provenance-key FILE] [--json] BUNDLE
  relctl audit report --since DATE --until DATE [--format html|markdown|json] --out FILE [--incidents FILE] ...
  relctl audit compare --from TAG --to TAG ...

Run 'relctl COMMAND --help' for the flags of a command.

Examples:
  relctl next --json                      # next version of the repository here
  relctl next --channel rc                # next release candidate
  relctl next --component api --path api  # next api/vX.Y.Z of a monorepo component
  git log -1 --format=%B | relctl parse --json
  relctl log --since v1.2.0 > changes.jsonl
  relctl changelog --all --unreleased --write CHANGELOG.md
  relctl tag --name v1.3.0 --rev HEAD --sign ssh --key ci_ed25519 --push origin
  relctl verify --tag v1.3.0 --allowed-signers allowed_signers --json
  relctl sbom --binary dist/app --out dist/app.cdx.json
  relctl audit trail --store evidence --release v1.3.0 --allowed-signers allowed_signers --json
  relctl audit bundle --store evidence --release v1.3.0 --out v1.3.0.bundle.tar.gz
  relctl audit verify-bundle --allowed-signers allowed_signers --provenance-key prov.pub v1.3.0.bundle.tar.gz
  relctl audit report --store evidence --since 2026-01-01 --until 2026-02-01 --out health.html

CI: under GitHub Actions (GITHUB_ACTIONS=true) next, verify, tag, changelog,
policy, promote, rollback and audit write step outputs to $GITHUB_OUTPUT and
a table to $GITHUB_STEP_SUMMARY, and failures add ::error annotations; under
GitLab CI (GITLAB_CI=true) a dotenv report of RELCTL_* variables
($RELCTL_DOTENV, else relctl.env). See each command's --help.

` + exitCodesHelp + `
  audit: trail exits 1 when a link is a gap or failed (or a commit or ticket is
  in no production release), verify-bundle when a check fails or cannot be
  made; report exits 0 even with gaps (their count goes to stderr); an unknown
  release is bad input (2). See 'relctl audit --help'.
`

// exitCodesHelp documents the exit codes, in the usage and --version.
const exitCodesHelp = `Exit codes: 0 ok, 1 a control or verification failed, 2 bad usage or input.`

// sbomUsage documents `relctl sbom` and `relctl provenance`.
const sbomUsage = `Usage:
  relctl sbom (--binary FILE | --module DIR [--artifact FILE] | --artifact FILE [--merge SBOM]...)
              [--format json|xml] [--spec 1.5|1.6|1.7] [--out FILE [--json]]
  relctl sbom check  --sbom FILE --artifact FILE [--format json|xml] [--sha256 HEX] [--json]
  relctl sbom attest --sbom FILE --artifact FILE [--key KEY.pem] [--out FILE]
  relctl provenance  --artifact FILE [--key KEY.pem] [--out FILE [--json]]
  relctl provenance verify --envelope FILE --artifact FILE --key KEY.pem [--json]

Keys are PEM PKCS #8 files (Ed25519, ECDSA or RSA), as 'openssl genpkey
-algorithm ed25519' writes them; verify also takes a PEM public key.
`

// subcommandHelp is returned by a command with sub-actions asked for --help.
type subcommandHelp struct{ names []string }

func (h subcommandHelp) Error() string {
	return "sub-commands: " + strings.Join(h.names, ", ") + " (add --help after one for its flags)"
}

// run is the whole command outside CI; tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return runCI(ctx, ciEnv{}, args, stdin, stdout, stderr)
}

// runCI is run reporting to the CI system env describes: the commands put
// their key values in a ciReport, written once when the command is done.
func runCI(ctx context.Context, env ciEnv, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var rep *ciReport
	if env.active() {
		rep = &ciReport{command: ciCommand(args)}
		ctx = withCI(ctx, rep)
	}
	err := dispatch(ctx, args, stdin, stdout, stderr)
	var sh subcommandHelp
	if errors.As(err, &sh) {
		fmt.Fprintln(stdout, sh.Error())
		return nil
	}
	if rep != nil {
		if werr := env.write(rep, err, stderr); werr != nil {
			if err == nil {
				return werr
			}
			fmt.Fprintln(stderr, "relctl:", werr)
		}
	}
	return err
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usagef("missing command")
	}
	switch args[0] {
	case "next":
		return cmdNext(ctx, args[1:], stdout, stderr)
	case "parse":
		return cmdParse(args[1:], stdin, stdout, stderr)
	case "log":
		if len(args) > 1 && args[1] == "verify" {
			return cmdAuditLog(ctx, args[1:], stdin, stdout, stderr)
		}
		if len(args) > 1 && args[1] == "show" {
			return cmdLogShow(ctx, args[2:], stdin, stdout, stderr)
		}
		if len(args) > 1 && args[1] == "checkpoint" {
			return cmdLogCheckpoint(ctx, args[2:], stdout, stderr)
		}
		if len(args) > 1 && args[1] == "prove" {
			return cmdLogProve(ctx, args[2:], stdout, stderr)
		}
		return cmdLog(ctx, args[1:], stdout, stderr)
	case "policy":
		return cmdPolicy(ctx, args[1:], stdin, stdout, stderr)
	case "record":
		return cmdRecord(ctx, args[1:], stdin, stdout, stderr)
	case "manifest":
		return cmdManifest(ctx, args[1:], stdin, stdout, stderr)
	case "promote":
		return cmdPromote(ctx, args[1:], stdin, stdout, stderr)
	case "rollback":
		return cmdRollback(ctx, args[1:], stdin, stdout, stderr)
	case "changelog":
		return cmdChangelog(ctx, args[1:], stdout, stderr)
	case "release-notes":
		return cmdReleaseNotes(ctx, args[1:], stdout, stderr)
	case "tag":
		return cmdTag(ctx, args[1:], stdin, stdout, stderr)
	case "verify":
		return cmdVerify(ctx, args[1:], stdin, stdout, stderr)
	case "sbom":
		return cmdSBOM(ctx, args[1:], stdin, stdout, stderr)
	case "provenance":
		return cmdProvenance(ctx, args[1:], stdin, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, args[1:], stdin, stdout, stderr)
	case "config":
		return cmdConfig(ctx, args[1:], stdout, stderr)
	case "deploy":
		return cmdDeploy(ctx, args[1:], stdin, stdout, stderr)
	case "release-pr":
		return cmdReleasePR(ctx, args[1:], stdout, stderr)
	case "release":
		return cmdRelease(ctx, args[1:], stdout, stderr)
	case "pr":
		return cmdPR(ctx, args[1:], stdout, stderr)
	case "status":
		return cmdStatus(ctx, args[1:], stdout, stderr)
	case "incident":
		return cmdIncident(ctx, args[1:], stdout, stderr)
	case "verify-production":
		return cmdVerifyProduction(ctx, args[1:], stdout, stderr)
	case "change":
		return cmdChange(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "--version", "version":
		fmt.Fprintln(stdout, "relctl", version())
		fmt.Fprintln(stdout, exitCodesHelp)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return usagef("unknown command %q", args[0])
	}
}
