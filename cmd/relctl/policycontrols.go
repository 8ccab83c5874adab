package main

import (
	"fmt"
	"io"

	"github.com/releasekit/releasekit/policy"
)

// policyControlsUsage is the usage of `relctl policy controls`.
const policyControlsUsage = `Usage: relctl policy controls [--format markdown|json]

Prints the traceability matrix of the release policy: every MUST sentence
(its ID is its section and its ordinal there, "§1.21.3.2/2"), whether it is
automated (the controls and APIs that enforce it and the tests that prove
it), automatable but not yet checked (what would check it), or
organisational (why only people can meet it), with the counts first.
Markdown is docs/policy-matrix.md; JSON is one object: "counts" (total,
automated, automatable, organisational) and "requirements", each with id,
section, sentence, status, controls, apis, tests and reason.

Flags:`

// cmdPolicyControls is `relctl policy controls`.
func cmdPolicyControls(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("policy controls", stderr)
	format := fs.String("format", "markdown", "output `FORMAT`: markdown or json")
	fs.Usage = func() {
		fmt.Fprintln(stderr, policyControlsUsage)
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nExample:\n  relctl policy controls --format json | jq '.requirements[] | select(.status == \"automatable\") | .id'")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *format != "markdown" && *format != "json" {
		return usagef("--format %q: want markdown or json", *format)
	}
	m, err := policy.Traceability()
	if err != nil {
		return err
	}
	if *format == "json" {
		return m.WriteJSON(stdout)
	}
	return m.WriteMarkdown(stdout)
}
