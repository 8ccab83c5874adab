package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/policy"
)

// ciReport holds the key values of one command for a CI system: step
// outputs, a summary table and a dotenv report. Commands fill it through
// ciFrom(ctx); runCI writes it once, at the end. A nil *ciReport (not in CI)
// ignores everything.
type ciReport struct {
	command string    // e.g. "next", "log verify"
	fields  []ciField // outputs, in the order set
	rows    []ciField // summary-only rows of a second table (policy: failed controls)
	rowHead [2]string // the header of rows
	detail  string    // why the command failed when it returns errSilent
}

type ciField struct{ key, value string }

type ciKey struct{}

func withCI(ctx context.Context, r *ciReport) context.Context {
	return context.WithValue(ctx, ciKey{}, r)
}

// ciFrom returns the report carried by ctx, nil when there is none.
func ciFrom(ctx context.Context) *ciReport {
	r, _ := ctx.Value(ciKey{}).(*ciReport)
	return r
}

// set records an output; a later set of the same key replaces it.
func (r *ciReport) set(key, value string) {
	if r == nil {
		return
	}
	for i := range r.fields {
		if r.fields[i].key == key {
			r.fields[i].value = value
			return
		}
	}
	r.fields = append(r.fields, ciField{key, value})
}

// fail records why the command fails when it returns errSilent, having
// printed the reason in its own format.
func (r *ciReport) fail(detail string) {
	if r != nil {
		r.detail = detail
	}
}

// row adds a summary row under the header h.
func (r *ciReport) row(h [2]string, name, value string) {
	if r == nil {
		return
	}
	r.rowHead = h
	r.rows = append(r.rows, ciField{name, value})
}

// ciEnv is where relctl reports under CI; the zero value reports nothing.
type ciEnv struct {
	github  bool
	output  string // $GITHUB_OUTPUT
	summary string // $GITHUB_STEP_SUMMARY
	gitlab  bool
	dotenv  string // $RELCTL_DOTENV, default relctl.env
}

// ciEnvFrom reads the CI environment through getenv.
func ciEnvFrom(getenv func(string) string) ciEnv {
	e := ciEnv{
		github:  getenv("GITHUB_ACTIONS") == "true",
		output:  getenv("GITHUB_OUTPUT"),
		summary: getenv("GITHUB_STEP_SUMMARY"),
		gitlab:  getenv("GITLAB_CI") == "true",
		dotenv:  getenv("RELCTL_DOTENV"),
	}
	if e.dotenv == "" {
		e.dotenv = "relctl.env"
	}
	return e
}

func (e ciEnv) active() bool { return e.github || e.gitlab }

// ciCommand names the command of args for reports: "next", "log verify".
func ciCommand(args []string) string {
	if len(args) == 0 {
		return ""
	}
	switch args[0] {
	case "log", "sbom", "provenance", "record", "manifest", "audit", "deploy":
		if len(args) > 1 && !strings.HasPrefix(args[1], "-") {
			return args[0] + " " + args[1]
		}
	}
	return args[0]
}

// write reports rep and the command's error err to the CI system.
func (e ciEnv) write(rep *ciReport, err error, stderr io.Writer) error {
	var errs []error
	if e.github {
		if err != nil {
			fmt.Fprintln(stderr, ghAnnotation(rep, err))
		}
		if e.output != "" && len(rep.fields) > 0 {
			errs = append(errs, appendFile(e.output, ghOutputs(rep.fields)))
		}
		if e.summary != "" && (len(rep.fields) > 0 || len(rep.rows) > 0 || err != nil) {
			errs = append(errs, appendFile(e.summary, ghSummary(rep, err)))
		}
	}
	if e.gitlab && len(rep.fields) > 0 {
		errs = append(errs, appendFile(e.dotenv, dotenv(rep.fields)))
	}
	return errors.Join(errs...)
}

func appendFile(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("ci report: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("ci report %s: %w", name, err)
	}
	return nil
}

// ghOutputs renders step outputs: key=value, or the key<<DELIM heredoc form
// for multi-line values.
func ghOutputs(fields []ciField) []byte {
	var b strings.Builder
	for _, f := range fields {
		if !strings.ContainsAny(f.value, "\r\n") {
			fmt.Fprintf(&b, "%s=%s\n", f.key, f.value)
			continue
		}
		delim := heredocDelim(f.value)
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", f.key, delim, strings.TrimRight(f.value, "\n"), delim)
	}
	return []byte(b.String())
}

// heredocDelim returns a delimiter that is not a line of v.
func heredocDelim(v string) string {
	for {
		var r [8]byte
		_, _ = rand.Read(r[:])
		d := "RELCTL_EOF_" + hex.EncodeToString(r[:])
		if !strings.Contains(v, d) {
			return d
		}
	}
}

// ghSummary renders a short Markdown table of the report.
func ghSummary(rep *ciReport, err error) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "### relctl %s\n\n", rep.command)
	var multi []ciField
	if len(rep.fields) > 0 {
		b.WriteString("| Output | Value |\n|---|---|\n")
		for _, f := range rep.fields {
			if strings.ContainsAny(f.value, "\r\n") {
				multi = append(multi, f)
				continue
			}
			fmt.Fprintf(&b, "| %s | %s |\n", f.key, mdCell(f.value))
		}
	}
	if len(rep.rows) > 0 {
		fmt.Fprintf(&b, "\n| %s | %s |\n|---|---|\n", rep.rowHead[0], rep.rowHead[1])
		for _, r := range rep.rows {
			fmt.Fprintf(&b, "| %s | %s |\n", mdCell(r.key), mdCell(r.value))
		}
	}
	for _, f := range multi {
		fmt.Fprintf(&b, "\n<details><summary>%s</summary>\n\n%s\n\n</details>\n", f.key, strings.TrimRight(f.value, "\n"))
	}
	if err != nil {
		fmt.Fprintf(&b, "\n**Failed:** %s\n", mdCell(errMessage(rep, err)))
	}
	b.WriteString("\n")
	return []byte(b.String())
}

func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}

// errMessage is the message of a failure; errSilent says only that the
// command failed, so the report's rows (failed controls) name what did.
func errMessage(rep *ciReport, err error) string {
	if !errors.Is(err, errSilent) {
		return err.Error()
	}
	msg := strings.TrimSpace("relctl "+rep.command) + " failed"
	if rep.detail != "" {
		msg += ": " + rep.detail
	}
	if len(rep.rows) > 0 {
		names := make([]string, len(rep.rows))
		for i, r := range rep.rows {
			names[i] = r.key
		}
		msg += ": " + strings.Join(names, ", ")
	}
	return msg
}

// ghAnnotation renders an ::error workflow command.
func ghAnnotation(rep *ciReport, err error) string {
	return "::error title=" + ghEscapeProperty(strings.TrimSpace("relctl "+rep.command)) + "::" + ghEscapeData(errMessage(rep, err))
}

func ghEscapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghEscapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// dotenv renders a GitLab dotenv report: RELCTL_KEY=value lines. GitLab
// reads no multi-line values, so those are left out.
func dotenv(fields []ciField) []byte {
	var b strings.Builder
	for _, f := range fields {
		if strings.ContainsAny(f.value, "\r\n") {
			continue
		}
		fmt.Fprintf(&b, "%s=%s\n", dotenvKey(f.key), f.value)
	}
	return []byte(b.String())
}

func dotenvKey(k string) string {
	return "RELCTL_" + strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, k)
}

// ciHelp documents the CI reports in the --help of the commands that make
// them.
const ciHelp = `
CI: under GitHub Actions (GITHUB_ACTIONS=true) the outputs below are written
to $GITHUB_OUTPUT, a Markdown table to $GITHUB_STEP_SUMMARY, and a failure
adds an ::error annotation on stderr. Under GitLab CI (GITLAB_CI=true) they
are appended as a dotenv report, RELCTL_<OUTPUT>=value lines (multi-line
values left out), to $RELCTL_DOTENV, else relctl.env in the working
directory: declare it as artifacts:reports:dotenv.
Outputs: `

// reportNext reports `relctl next`.
func reportNext(rep *ciReport, res nextResult) {
	rep.set("previous", res.Previous)
	rep.set("next", res.Next)
	rep.set("version", res.Version)
	rep.set("bump", res.Bump)
	rep.set("level", res.Level)
	rep.set("commits", strconv.Itoa(res.Commits))
	rep.set("releasable", strconv.FormatBool(res.Releasable))
}

// reportNotes reports the version and Markdown notes of one release.
func reportNotes(rep *ciReport, n changelog.Notes) error {
	if rep == nil {
		return nil
	}
	var b strings.Builder
	if err := changelog.Write(&b, n, changelog.Markdown); err != nil {
		return err
	}
	rep.set("version", n.Version)
	rep.set("notes", b.String())
	return nil
}

// reportPolicy reports the decision and one summary row per failed
// control, as policy.Report.Err counts them.
func reportPolicy(rep *ciReport, r policy.Report) {
	if rep == nil {
		return
	}
	failed := 0
	for _, res := range r.Results {
		if res.Status != policy.Pass && res.Status != policy.NotApplicable && res.Status != policy.Waived {
			failed++
			rep.row([2]string{"Failed control", "Reason"}, res.Control.ID, res.Reason)
		}
	}
	result := "allow"
	if r.Err() != nil && (!r.Advisory || errors.Is(r.Err(), policy.ErrEmptyPolicy)) {
		result = "deny"
	}
	rep.set("result", result)
	rep.set("failed", strconv.Itoa(failed))
}
