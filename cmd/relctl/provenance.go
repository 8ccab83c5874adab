package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

// provenanceResult is the JSON contract of `relctl provenance --json`
// (with --out): what was written.
type provenanceResult struct {
	Subject       string `json:"subject"`          // "sha256:<hex>" of the artifact
	Name          string `json:"name"`             // the artifact's file name, as the statement names it
	StatementType string `json:"statement_type"`   // the in-toto _type written (sbom.StatementType)
	PredicateType string `json:"predicate_type"`   // sbom.SLSAProvenancePredicate
	BuildType     string `json:"build_type"`       // the build type written
	BuilderID     string `json:"builder_id"`       // the builder written
	Signed        bool   `json:"signed"`           // true: a DSSE envelope signed with --key; false: the bare statement
	KeyID         string `json:"key_id,omitempty"` // the signing key's id when signed
	PayloadType   string `json:"payload_type,omitempty"`
	Path          string `json:"path"`   // the file written (--out)
	SHA256        string `json:"sha256"` // lower-case hex of the SHA-256 of the file written
	OK            bool   `json:"ok"`
}

// cmdProvenance runs `relctl provenance` and `relctl provenance verify`.
func cmdProvenance(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "verify" {
		return provenanceVerify(ctx, args[1:], stdout, stderr)
	}
	fs := newFlags("provenance", stderr)
	artifact := fs.String("artifact", "", "artifact `FILE` (the subject)")
	keyFile := fs.String("key", "", "PEM private `KEY` to sign a DSSE envelope (default: print the unsigned statement)")
	out := fs.String("out", "", "write to `FILE` (atomically) instead of standard output")
	builderID := fs.String("builder-id", "", "builder `URI` (default: from GitHub Actions or GitLab CI variables)")
	buildType := fs.String("build-type", "", "build type `URI` (default: from the CI)")
	started := fs.String("started", "", "build start time, RFC 3339")
	finished := fs.String("finished", "", "build finish time, RFC 3339")
	asJSON := fs.Bool("json", false, "with --out: print a JSON summary of what was written (the statement or envelope itself goes to the file)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "relctl provenance: SLSA v1 provenance for an artifact, signed as a DSSE envelope\n\n", sbomUsage, "\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nGitHub Actions (GITHUB_*) and GitLab CI (CI_*) variables fill the builder,\nrepository, ref, commit and run. Outside CI, give --builder-id and --build-type.")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *artifact == "" {
		fs.Usage()
		return usagef("--artifact is required")
	}
	if *asJSON && *out == "" {
		return usagef("--json needs --out: without it the statement itself goes to standard output")
	}
	p, _ := sbom.ProvenanceFromCI(environ())
	if *builderID != "" {
		p.BuilderID = *builderID
	}
	if *buildType != "" {
		p.BuildType = *buildType
	}
	if p.BuilderID == "" || p.BuildType == "" {
		return usagef("not in GitHub Actions or GitLab CI: give --builder-id and --build-type")
	}
	for _, t := range []struct {
		flag string
		s    string
		t    *time.Time
	}{{"started", *started, &p.StartedOn}, {"finished", *finished, &p.FinishedOn}} {
		if t.s == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.s)
		if err != nil {
			return usagef("--%s: %v", t.flag, err)
		}
		*t.t = v
	}
	s, err := subjectOfFile(*artifact)
	if err != nil {
		return sbomErr(err)
	}
	st, err := sbom.ProvenanceStatement([]sbom.Subject{s}, p)
	if err != nil {
		return err
	}
	if !*asJSON {
		return emitStatement(ctx, st, *keyFile, *out, stdout)
	}
	data, keyID, err := statementBytes(ctx, st, *keyFile)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, data); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	res := provenanceResult{
		Subject: s.Digest(), Name: s.Name,
		StatementType: sbom.StatementType, PredicateType: sbom.SLSAProvenancePredicate,
		BuildType: p.BuildType, BuilderID: p.BuilderID,
		Signed: keyID != "", KeyID: keyID,
		Path: *out, SHA256: hex.EncodeToString(sum[:]), OK: true,
	}
	if res.Signed {
		res.PayloadType = sbom.PayloadType
	}
	return writeJSON(stdout, res)
}

func provenanceVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("provenance verify", stderr)
	envFile := fs.String("envelope", "", "DSSE envelope `FILE`")
	artifact := fs.String("artifact", "", "artifact `FILE` the provenance must be about")
	keyFile := fs.String("key", "", "trusted PEM public (or private) `KEY` (default: the release configuration's trust.provenance.keys)")
	asJSON := fs.Bool("json", false, "print the verified provenance as JSON")
	fs.Usage = func() {
		fmt.Fprint(stderr, "relctl provenance verify: check a signed provenance envelope against a key and an artifact\n\n", sbomUsage, "\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nThe envelope's payload is an in-toto Statement v1, or v0.1 as cosign attest-blob\nwrites it, with a SLSA Provenance v1 predicate (cosign --type slsaprovenance1);\nSLSA v0.2 predicates are refused. relctl provenance writes v1 statements.")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *envFile == "" || *artifact == "" {
		fs.Usage()
		return usagef("--envelope, --artifact and --key are required")
	}
	var vs []*signature.KeyVerifier
	if *keyFile != "" {
		v, err := provenanceKeyFile(*keyFile)
		if err != nil {
			return err
		}
		vs = append(vs, v)
	} else {
		// The release configuration's trust.provenance keys.
		cfg, err := loadConfig("", ".")
		if err != nil {
			return err
		}
		if cfg == nil || len(cfg.Trust.Provenance.Keys) == 0 {
			fs.Usage()
			return usagef("--envelope, --artifact and --key are required (or trust.provenance.keys in %s)", config.FileName)
		}
		for _, file := range cfg.Trust.Provenance.Keys {
			v, err := provenanceKey("trust.provenance.keys", file)
			if err != nil {
				return err
			}
			vs = append(vs, v)
		}
	}
	env, err := readInput("--envelope", *envFile, maxDocumentFile)
	if err != nil {
		return err
	}
	s, err := subjectOfFile(*artifact)
	if err != nil {
		return sbomErr(err)
	}
	// The first trusted key that verifies it signed it.
	var p sbom.Provenance
	var v *signature.KeyVerifier
	for _, k := range vs {
		if p, err = sbom.VerifyProvenance(ctx, env, s, time.Now(), k); err == nil { // a bare key has no validity window
			v = k
			break
		}
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, struct {
			Subject   string `json:"subject"`
			BuildType string `json:"build_type"`
			BuilderID string `json:"builder_id"`
			KeyID     string `json:"key_id"`
			OK        bool   `json:"ok"`
		}{s.Digest(), p.BuildType, p.BuilderID, v.KeyID(), true})
	}
	fmt.Fprintf(stdout, "ok provenance for %s built by %s, signed by key %s\n", s.Digest(), p.BuilderID, v.KeyID())
	return nil
}

// environ returns the process environment as a map (relctl is the edge
// where the environment is read; the sbom package takes the map).
func environ() map[string]string {
	m := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}
