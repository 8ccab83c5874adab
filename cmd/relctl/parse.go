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
	cf := addChangeFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl parse [flags] < message\n\nParses one commit message read from standard input and shows the changes it\nyields. By default only the header and the footers count (Conventional Commits\n1.0): a squash body's bullets are never changes.\n\nFlags:")
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
	popts = append(popts, cf.parseOptions()...)
	m, perr := commits.Parse(string(data), popts...)
	if errors.Is(perr, commits.ErrInvalidUTF8) || errors.Is(perr, commits.ErrControlChar) || errors.Is(perr, commits.ErrTooLong) || errors.Is(perr, commits.ErrEmpty) {
		return usageError{perr}
	}
	res := parseDoc{parseResult: toParseResult(m), Changes: changesOf(m)}
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

// parseDoc is the document of `relctl parse --json`: the parse, and the
// changes the message yields.
type parseDoc struct {
	parseResult
	Changes []parseChange `json:"changes"`
}

// parseChange is one change a message yields: Origin says where it was read
// (header, override, additional) and BreakingFrom what made it breaking
// (header for a "!", footer for a BREAKING CHANGE footer).
type parseChange struct {
	Type         string `json:"type"`
	Scope        string `json:"scope"`
	Breaking     bool   `json:"breaking"`
	Origin       string `json:"origin"`
	BreakingFrom string `json:"breaking_from,omitempty"`
}

// changesOf lists the changes of m, its own first, in the order of
// Message.Changes.
func changesOf(m commits.Message) []parseChange {
	out := []parseChange{}
	for _, x := range append([]commits.Message{m}, m.Extra...) {
		if x.Conventional {
			out = append(out, parseChange{Type: x.Type, Scope: x.Scope, Breaking: x.Breaking, Origin: x.Origin, BreakingFrom: x.BreakingFrom})
		}
	}
	return out
}

func printParse(w io.Writer, d parseDoc) {
	r := d.parseResult
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
	if r.Reverts != nil && r.Reverts.Hash != "" {
		fmt.Fprintf(w, "  reverts: %s\n", r.Reverts.Hash)
	}
	fmt.Fprintf(w, "changes: %d\n", len(d.Changes))
	for _, c := range d.Changes {
		scope := ""
		if c.Scope != "" {
			scope = "(" + c.Scope + ")"
		}
		how := "from the header"
		switch c.Origin {
		case commits.OriginOverride:
			how = "from the override block"
		case commits.OriginAdditional:
			how = "from an additional header"
		}
		if c.Breaking {
			fmt.Fprintf(w, "  %s%s BREAKING (%s, breaking by a %s)\n", c.Type, scope, how, breakingBy(c.BreakingFrom))
		} else {
			fmt.Fprintf(w, "  %s%s (%s)\n", c.Type, scope, how)
		}
	}
}

func breakingBy(from string) string {
	if from == commits.BreakingFromFooter {
		return "BREAKING CHANGE footer"
	}
	return "\"!\" in its header"
}
