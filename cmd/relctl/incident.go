package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
)

// cmdIncident logs an incident record or a post-incident review
// (§1.22.5.2, §1.21.3.6, §1.32.3.2).
func cmdIncident(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(args, "record", "review")
	if err != nil {
		return err
	}
	fs := newFlags("incident "+sub, stderr)
	sf := addStoreFlags(fs)
	file := fs.String("file", "", "the incident record (or, for review, the post-incident review) `FILE` in JSON (- for standard input)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl incident record --file INCIDENT.json (--store DIR | --git-store REPO | --oci-store REF) [--json]\n       relctl incident review --file REVIEW.json (--store DIR | --git-store REPO | --oci-store REF) [--json]\n\nrecord logs the audit-ready incident record of §1.22.5.2: id, severity\n(SEV1-SEV4), summary, env, impact_start, release, reporter; commit, digest;\nand when it is closed (impact_end), the rollback mechanism (feature-flag,\nconfig, redeploy, hotfix or none), approvers, the window or emergency record,\nverification (checks that all passed) and follow_ups mapped to controls,\ntests or gates. Record it when it opens and again as it changes.\n\nreview logs the post-incident review of an emergency change (§1.21.3.6,\n§1.32.3.2): emergency (the record's ID, which a logged promotion or rollback\nmust carry), reviewer, completed_at, release, commits, prs, summary, actions,\nand access_revoked_at and credentials_rotated_at (or no_break_glass).\n\nAn incomplete or malformed record is refused (exit 2) and nothing is logged.\nREL-INCIDENT-001 and REL-BREAKGLASS-001 read them back (relctl policy --store).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *file == "" {
		return usagef("--file is required")
	}
	var inc manifest.Incident
	var rev manifest.Review
	into := any(&rev)
	if sub == "record" {
		into = &inc
	}
	if err := readFlagFile("--file", *file, func(b []byte) error { return strictjson.Unmarshal(b, into, strictjson.Options{}) }); err != nil {
		return err
	}
	st, err := sf.open()
	if err != nil {
		return err
	}
	var e manifest.Entry
	if sub == "record" {
		e, err = manifest.RecordIncident(ctx, st, inc)
	} else {
		e, err = manifest.RecordReview(ctx, st, rev)
	}
	if err != nil {
		return refusal(err)
	}
	if *sf.json {
		return writeJSON(stdout, e)
	}
	switch sub {
	case "record":
		state := "open"
		if !e.Incident.ImpactEnd.IsZero() {
			state = "closed"
		}
		fmt.Fprintf(stdout, "logged incident %s (%s, %s) as entry %d\n", e.Incident.ID, e.Incident.Severity, state, e.Seq)
	default:
		fmt.Fprintf(stdout, "logged the review of emergency change %s as entry %d\n", e.Review.Emergency, e.Seq)
	}
	return nil
}

// refusal makes a record the library refused as malformed a usage error
// (exit 2); any other error (a store that fails) is returned as it is.
func refusal(err error) error {
	var fe *manifest.FieldError
	if errors.As(err, &fe) {
		return usageError{err}
	}
	return err
}
