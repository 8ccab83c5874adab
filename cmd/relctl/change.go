package main

import (
	"context"
	"fmt"
	"io"

	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
)

// cmdChange implements `relctl change record`: it logs a configuration or
// feature-flag change as a production change (§1.17.3.4, §1.19.3.2,
// §1.19.3.4, §1.22.3.3), for REL-CHANGE-001.
func cmdChange(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_, args, err := subcommand(args, "record")
	if err != nil {
		return err
	}
	fs := newFlags("change record", stderr)
	sf := addStoreFlags(fs)
	file := fs.String("file", "", "the change record `FILE` in JSON (- for standard input)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl change record --file CHANGE.json (--store DIR | --git-store REPO | --oci-store REF) [--json]\n\nLogs a configuration or feature-flag change as a production change: kind\n(flag or config), name, env, before and after (the old and new value), actor,\napprover (another person), ticket, pr (a pull request; required by\nREL-CHANGE-001 for a config change), at, reason, and the change window used\n(window) or the ID of the emergency-change record (emergency), e.g.\n\n  {\"kind\": \"flag\", \"name\": \"checkout.new-flow\", \"env\": \"prod\", \"before\": \"10%\",\n   \"after\": \"50%\", \"actor\": \"dana@example.com\", \"approver\": \"carol@example.com\",\n   \"ticket\": \"CHG-88\", \"at\": \"2026-03-03T10:00:00Z\", \"window\": \"tue-10-12\",\n   \"reason\": \"ramp after a clean 10% day\"}\n\nA malformed change, or one approved by its actor, is refused (exit 2) and\nnothing is logged. REL-CHANGE-001 reads them back (relctl policy --store).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *file == "" {
		return usagef("--file is required")
	}
	var c manifest.Change
	if err := readFlagFile("--file", *file, func(b []byte) error { return strictjson.Unmarshal(b, &c, strictjson.Options{}) }); err != nil {
		return err
	}
	st, err := sf.open()
	if err != nil {
		return err
	}
	e, err := manifest.RecordChange(ctx, st, c)
	if err != nil {
		return refusal(err)
	}
	if *sf.json {
		return writeJSON(stdout, e)
	}
	fmt.Fprintf(stdout, "logged the %s change %s in %s as entry %d\n", e.Change.Kind, e.Change.Name, e.Change.Env, e.Seq)
	return nil
}
