package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/releasekit/releasekit/commits"
)

// maxMessage bounds what parse reads from stdin.
const maxMessage = 16 << 20

func cmdParse(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("parse", stderr)
	asJSON := fs.Bool("json", false, "print a JSON object")
	lenient := fs.Bool("lenient", false, "best-effort parse of messages that bend the specification")
	strict := fs.Bool("strict", false, "exit 1 when the message is not a Conventional Commit")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl parse [flags] < message\n\nParses one commit message read from standard input.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nExample:\n  git log -1 --format=%B | relctl parse --json")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxMessage+1))
	if err != nil {
		return fmt.Errorf("read message: %w", err)
	}
	if len(data) > maxMessage {
		return usagef("message longer than %d bytes", maxMessage)
	}
	var popts []commits.ParseOption
	if *lenient {
		popts = append(popts, commits.WithLenient())
	}
	m, perr := commits.Parse(string(data), popts...)
	if errors.Is(perr, commits.ErrInvalidUTF8) || errors.Is(perr, commits.ErrControlChar) || errors.Is(perr, commits.ErrTooLong) || errors.Is(perr, commits.ErrEmpty) {
		return usageError{perr}
	}
	res := toParseResult(m)
	if *asJSON {
		if err := writeJSON(stdout, res); err != nil {
			return err
		}
	} else {
		printParse(stdout, res)
	}
	if *strict && perr != nil {
		return perr
	}
	return nil
}

func printParse(w io.Writer, r parseResult) {
	if !r.Conventional {
		fmt.Fprintf(w, "not a Conventional Commit: %s\n", r.Error)
	} else {
		scope := ""
		if r.Scope != "" {
			scope = "(" + r.Scope + ")"
		}
		bang := ""
		if r.Breaking {
			bang = " BREAKING"
		}
		fmt.Fprintf(w, "%s%s: %s%s\n", r.Type, scope, r.Description, bang)
	}
	for _, f := range r.Footers {
		fmt.Fprintf(w, "  %s: %s\n", f.Key, firstLine(f.Value))
	}
	if len(r.Tickets) > 0 {
		fmt.Fprintf(w, "  tickets: %v\n", r.Tickets)
	}
	if r.PR != nil {
		fmt.Fprintf(w, "  pr: #%d\n", *r.PR)
	}
}
