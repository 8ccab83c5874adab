package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/releasekit/releasekit/manifest"
)

// cmdVerifyProduction implements `relctl verify-production`: it logs the
// smoke tests and monitoring checks run against an environment after a
// promotion (§1.13.5.3, §1.17.3.4, §1.22.3.4), for REL-VERIFY-001.
func cmdVerifyProduction(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify-production", stderr)
	sf := addStoreFlags(fs)
	release := fs.String("release", "", "the release `TAG` the environment runs (required)")
	env := fs.String("env", "", "the environment `ENV` verified (required)")
	var checks listFlag
	fs.Var(&checks, "check", "a check run and its outcome, `NAME=pass|fail[=URL]` with a link to its evidence (repeat for each; at least one)")
	incident := fs.String("incident", "", "the incident `ID` this verifies the recovery from (a recovery verification)")
	verifier := fs.String("verifier", "", "who verified, a person or CI `ID` (required)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl verify-production --release TAG --env ENV --check NAME=pass|fail[=URL] ... --verifier ID\n                              [--incident ID] (--store DIR | --git-store REPO | --oci-store REF) [--json]\n\nLogs the verification of ENV after the promotion (or rollback) of TAG: the\nsmoke tests and monitoring checks run, each passed or failed with a link to\nits evidence (a dashboard, a test run, a signed checklist), who verified and\nwhen. With --incident, it is the verification of the recovery from that\nincident (its time is the time of verified recovery). A failed check is\nlogged too, and REL-VERIFY-001 then fails. A malformed request is refused\n(exit 2); a release ENV does not run is refused (exit 1); neither is logged.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *release == "" || *env == "" || *verifier == "" {
		return usagef("--release, --env and --verifier are required")
	}
	if len(checks) == 0 {
		return usagef("--check NAME=pass|fail[=URL] is required: name the smoke tests and monitoring checks run")
	}
	r := manifest.VerificationRequest{Release: *release, Env: *env, Verifier: *verifier, Incident: *incident, Recovery: *incident != ""}
	for _, c := range checks {
		name, rest, ok := strings.Cut(c, "=")
		outcome, url, _ := strings.Cut(rest, "=")
		if !ok || name == "" || (outcome != "pass" && outcome != "fail") {
			return usagef("--check %q: want NAME=pass or NAME=fail, then optionally =URL", c)
		}
		r.Checks = append(r.Checks, manifest.CheckResult{Name: name, Passed: outcome == "pass", URL: url})
	}
	st, err := sf.open()
	if err != nil {
		return err
	}
	e, err := manifest.RecordVerification(ctx, st, r)
	if err != nil {
		return refusal(err)
	}
	if *sf.json {
		return writeJSON(stdout, e)
	}
	v := e.Verification
	result := "passed"
	if !v.Passed() {
		result = "FAILED"
	}
	what := "verification"
	if v.Recovery {
		what = "recovery verification (" + v.Incident + ")"
	}
	fmt.Fprintf(stdout, "logged the %s of %s in %s: %d check(s) %s, as entry %d\n", what, v.Release, v.Env, len(v.Checks), result, e.Seq)
	return nil
}
