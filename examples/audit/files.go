package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/audit/bundle"
	"github.com/releasekit/releasekit/internal/demohistory"
	"github.com/releasekit/releasekit/manifest"
)

// writeKeys writes what an auditor is given with the evidence into
// work/keys: allowed_signers (the tag key in namespace git, the log key in
// manifest.Namespace), the builder's provenance public key as PEM, and the
// signed checkpoint of the log with its signature. -repo mode reads the
// same files.
func writeKeys(work string, f *demohistory.History) error {
	dir := filepath.Join(work, "keys")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	der, err := x509.MarshalPKIXPublicKey(demohistory.DeriveKey(demohistory.DefaultSeed, "provenance").Public())
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		"allowed_signers":     f.Keys.AllowedSigners,
		"provenance.pub":      pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
		"checkpoint.json":     f.Sources.Checkpoint,
		"checkpoint.json.sig": f.Sources.CheckpointSig,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// editApprover rewrites, in the bundle directory dir, the approver of the
// last promotion of the bundle's release to env, as an insider covering
// their tracks would: in place, leaving every other byte alone. It returns
// the file edited.
func editApprover(dir, env, approver string) (string, error) {
	idx, err := os.ReadFile(filepath.Join(dir, bundle.IndexName))
	if err != nil {
		return "", err
	}
	var release string
	if _, after, ok := bytes.Cut(idx, []byte(`"release":`)); ok {
		release, _, _ = strings.Cut(strings.Trim(strings.TrimSpace(string(after)), `"`), `"`)
	}
	names, err := filepath.Glob(filepath.Join(dir, "log", "entries", "*.json"))
	if err != nil {
		return "", err
	}
	var file, old string
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			return "", err
		}
		e, err := manifest.ParseEntry(data)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		if p := e.Promotion; p != nil && p.Env == env && p.Release == release && p.RollbackFrom == "" {
			file, old = name, p.Approver
		}
	}
	if file == "" {
		return "", fmt.Errorf("no promotion of %s to %s in the bundle", release, env)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	edited := bytes.ReplaceAll(data, []byte(`"`+old+`"`), []byte(`"`+approver+`"`))
	if err := os.WriteFile(file, edited, 0o644); err != nil {
		return "", err
	}
	return path.Join("log", "entries", filepath.Base(file)), nil
}

// writeNew writes data to a new file name: it never replaces one.
func writeNew(name string, data []byte) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// describe is one link of a trail on one line: its status, step and ID, and
// what was found, or why it is a gap or failed.
func describe(l audit.Link) string {
	head := fmt.Sprintf("%-8s %-12s ", l.Status, l.Step)
	switch l.Status {
	case audit.Gap:
		// The reason says what is missing; the error's text ends with
		// the operating system's, which differs between systems.
		return head + l.ID + ": " + l.Reason
	case audit.Failed:
		s := head + l.ID + ": " + l.Reason
		if l.Error != "" && !strings.Contains(l.Reason, l.Error) {
			s += " (" + l.Error + ")"
		}
		return s
	}
	switch {
	case l.Commit != nil:
		c := l.Commit
		s := fmt.Sprintf("%s%s %q by %s, %s", head, short(c.Hash), c.Subject, c.Author, when(c.Date))
		for _, o := range c.CherryPickedFrom {
			s += ", cherry-pick of " + short(o)
		}
		return s
	case l.Tag != nil:
		t := l.Tag
		return fmt.Sprintf("%s%s → %s: %s signature of %s, tagged %s by %s", head, t.Name, short(t.Target), t.Format, t.Signer, when(t.TaggedAt), t.Tagger)
	case l.Artifact != nil:
		return fmt.Sprintf("%s%s %s", head, l.Artifact.Name, l.Artifact.Digest)
	case l.SBOM != nil:
		return fmt.Sprintf("%s%s: CycloneDX %s bound to %s %s", head, l.SBOM.Ref, l.SBOM.SpecVersion, l.SBOM.Artifact, shortDigest(l.SBOM.Subject))
	case l.Provenance != nil:
		p := l.Provenance
		return fmt.Sprintf("%s%s: signed, built by %s in %s from %s", head, l.ID, p.BuilderID, p.InvocationID, shortDigest(p.Artifact))
	case l.Log != nil:
		return fmt.Sprintf("%s%d entries, hash chain checked against the signed checkpoint of %d", head, l.Log.Entries, l.Log.Checkpoint)
	case l.Promotion != nil:
		p := l.Promotion
		if l.Step == audit.StepRollback {
			return fmt.Sprintf("%s%s: rolled back to %s %s (entry %d), approved by %s: %s", head, p.Env, p.Release, when(p.PromotedAt), p.Seq, p.Approver, p.Reason)
		}
		s := fmt.Sprintf("%s%s %s (entry %d) approved by %s", head, p.Env, when(p.PromotedAt), p.Seq, p.Approver)
		if e := p.Emergency; e != nil {
			s += fmt.Sprintf(", outside the window as emergency change %s: %s; rollback plan: %s; follow-up: %s", e.ID, e.Reason, e.RollbackPlan, e.FollowUp)
		} else if p.Window != "" {
			s += " in the window " + p.Window
		}
		return s
	case l.Gate != nil:
		g := l.Gate
		return fmt.Sprintf("%s%s: policy report %s: %s (%s)", head, g.Env, shortDigest(g.Digest), sortedCounts(g.Counts), strings.Join(g.Controls, " "))
	case l.Denial != nil:
		d := l.Denial
		return fmt.Sprintf("%s%s %s refused %s (entry %d) by %s, requested by %s, approver %s: %s",
			head, d.Env, d.Action, when(d.At), d.Seq, controlList(d.Controls), who(d.Actor), d.Approver, d.Refusal)
	case l.Deployment != nil:
		d := l.Deployment
		s := fmt.Sprintf("%s%s %s", head, d.Env, d.Result)
		if d.Error != "" {
			s += " (" + d.Error + ")"
		}
		s += fmt.Sprintf(" on %s %s (entry %d), %s on %s", strings.Join(d.Targets, ", "), when(d.At), d.Seq, short(d.Commit), d.Branch)
		if c := d.Changes; c != nil {
			s += ", " + changedFiles(c.Files, c.Added, c.Modified, c.Deleted, c.From)
		}
		s += ", reported by " + who(d.Actor)
		switch {
		case d.Outcome != 0:
			s += fmt.Sprintf("; outcome in entry %d", d.Outcome)
		case d.Succeeded != 0:
			s += fmt.Sprintf("; succeeded in entry %d", d.Succeeded)
		}
		return s
	case l.Changes != nil:
		c := l.Changes
		return fmt.Sprintf("%s%s: changed-files manifest %s of entry %d: %s from %s to %s, each with its SHA-256",
			head, c.Env, shortDigest(c.Digest), c.Seq, plural(c.Total, "file"), c.From, c.To)
	}
	return head + l.ID + ": " + l.Reason
}

// who says who acted and how it is known.
func who(a *manifest.Actor) string {
	switch {
	case a == nil:
		return "(not recorded)"
	case a.Verified:
		return fmt.Sprintf("%s (verified: %s, subject %s)", a.Name, a.Issuer, a.Subject)
	}
	return a.Name + " (typed, not verified)"
}

// controlList names the controls of a refusal.
func controlList(ids []string) string {
	if len(ids) == 0 {
		return "no control named"
	}
	return strings.Join(ids, ", ")
}

// changedFiles summarises a changed-files manifest: "4 files changed since
// v1.1.0 (2 added, 1 modified, 1 deleted)".
func changedFiles(files, added, modified, deleted int, from string) string {
	since := "since " + from
	if from == "" {
		since = "in the first deployment"
	}
	return fmt.Sprintf("%s changed %s (%d added, %d modified, %d deleted)", plural(files, "file"), since, added, modified, deleted)
}

// plural is "1 file" or "n files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// quote prints lines indented under a step.
func quote(w io.Writer, lines ...string) {
	for _, l := range lines {
		fmt.Fprintf(w, "    | %s\n", l)
	}
}

// short is a commit hash as git log --oneline abbreviates it here.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// shortDigest abbreviates "sha256:<hex>" for a line of text.
func shortDigest(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12] + "…"
	}
	return d
}

// when prints a time with its weekday: change windows are by day.
func when(t time.Time) string {
	if t.IsZero() {
		return "(no time)"
	}
	return t.UTC().Format("Mon 2006-01-02 15:04 UTC")
}

// dur prints a duration in days, hours and minutes.
func dur(d time.Duration) string {
	d = d.Round(time.Minute)
	days, h, m := d/(24*time.Hour), (d%(24*time.Hour))/time.Hour, (d%time.Hour)/time.Minute
	switch {
	case days > 0:
		return fmt.Sprintf("%dd%dh%dm", days, h, m)
	case h > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	}
	return fmt.Sprintf("%dm", m)
}

// rel is path relative to the workspace, for output that does not depend
// on where the workspace is.
func rel(work, p string) string {
	r, err := filepath.Rel(work, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}
