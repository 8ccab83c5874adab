package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/releasekit/releasekit/sbom"
)

// sbomResult is the JSON contract of `relctl sbom --json` (with --out) and
// `relctl sbom check --json`.
type sbomResult struct {
	Subject    string          `json:"subject"`             // "sha256:<hex>" of the artifact, "" for an unbound module SBOM
	Name       string          `json:"name,omitempty"`      // artifact or main module name
	Spec       string          `json:"spec"`                // CycloneDX version
	Serial     string          `json:"serial"`              // serial number
	Components int             `json:"components"`          // number of components
	Source     string          `json:"source,omitempty"`    // what the components were read from
	Reference  *sbom.Reference `json:"reference,omitempty"` // location, media type, SHA-256 of the SBOM file
	OK         bool            `json:"ok"`                  // check: the SBOM is bound to the artifact
	Error      string          `json:"error,omitempty"`     // check: why not
}

// cmdSBOM runs `relctl sbom` and its check and attest actions.
func cmdSBOM(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "check":
			return sbomCheck(args[1:], stdout, stderr)
		case "attest":
			return sbomAttest(ctx, args[1:], stdout, stderr)
		case "generate":
			args = args[1:]
		}
	}
	fs := newFlags("sbom", stderr)
	binary := fs.String("binary", "", "Go binary `FILE`: SBOM from its build information")
	module := fs.String("module", "", "Go module `DIR`: SBOM from go list (offline), else go.mod and go.sum")
	artifact := fs.String("artifact", "", "artifact `FILE`: minimal SBOM bound to its digest (with --module: bind the module SBOM to it)")
	var merges []string
	fs.Func("merge", "CycloneDX JSON `SBOM` from another tool to merge in (repeatable; its subject must be the artifact)", func(s string) error {
		merges = append(merges, s)
		return nil
	})
	format := fs.String("format", "json", "output format: json or xml")
	spec := fs.String("spec", string(sbom.DefaultSpec), "CycloneDX spec `VERSION`: 1.5, 1.6 or 1.7")
	out := fs.String("out", "", "write the SBOM to `FILE` (atomically) instead of standard output")
	serial := fs.String("serial", "", "serial number urn:uuid:... (default: derived from the content)")
	stamp := fs.String("timestamp", "", "metadata timestamp, RFC 3339 (default: none, for reproducible output)")
	noGo := fs.Bool("no-go", false, "with --module: read go.mod and go.sum only, never run go")
	asJSON := fs.Bool("json", false, "with --out: print a JSON summary with the SBOM reference")
	fs.Usage = func() {
		fmt.Fprint(stderr, "relctl sbom: CycloneDX SBOMs bound to an artifact's digest\n\n", sbomUsage, "\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nExamples:\n  relctl sbom --binary dist/app --out dist/app.cdx.json --json\n  relctl sbom --module . --artifact dist/app.tar.gz --format xml\n  relctl sbom check --sbom dist/app.cdx.json --artifact dist/app")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	f, err := sbom.ParseFormat(*format)
	if err != nil {
		return usageError{err}
	}
	v, err := sbom.ParseSpecVersion(*spec)
	if err != nil {
		return usageError{err}
	}
	opts := []sbom.Option{sbom.WithSpecVersion(v)}
	if *serial != "" {
		opts = append(opts, sbom.WithSerialNumber(*serial))
	}
	if *stamp != "" {
		t, err := time.Parse(time.RFC3339, *stamp)
		if err != nil {
			return usagef("--timestamp: %v", err)
		}
		opts = append(opts, sbom.WithTimestamp(t))
	}
	if *noGo {
		opts = append(opts, sbom.WithoutGoCommand())
	}
	if *asJSON && *out == "" {
		return usagef("--json needs --out: without it the SBOM itself goes to standard output")
	}
	var doc *sbom.Document
	switch {
	case *binary != "" && *module == "" && *artifact == "" && len(merges) == 0:
		doc, err = sbom.FromBinaryFile(*binary, opts...)
	case *module != "" && *binary == "" && len(merges) == 0:
		doc, err = sbom.FromModule(ctx, *module, opts...)
		if err == nil && *artifact != "" {
			var s sbom.Subject
			if s, err = subjectOfFile(*artifact); err == nil {
				doc, err = doc.WithSubject(s)
			}
		}
	case *artifact != "" && *binary == "" && *module == "":
		doc, err = artifactSBOM(*artifact, merges, opts)
	default:
		fs.Usage()
		return usagef("give exactly one of --binary, --module or --artifact (--artifact may go with --module)")
	}
	if err != nil {
		return sbomErr(err)
	}
	data, err := doc.Bytes(f)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(data)
		return err
	}
	if err := writeFileAtomic(*out, data); err != nil {
		return err
	}
	ref := sbom.Attach(*out, data, f, v)
	if !*asJSON {
		fmt.Fprintf(stdout, "%s sha256:%s %s\n", ref.Location, ref.SHA256, ref.MediaType)
		return nil
	}
	res := summary(doc)
	res.Reference = &ref
	res.OK = true
	return writeJSON(stdout, res)
}

func artifactSBOM(path string, merges []string, opts []sbom.Option) (*sbom.Document, error) {
	s, err := subjectOfFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := sbom.ForArtifact(s, opts...)
	if err != nil || len(merges) == 0 {
		return doc, err
	}
	var others []*sbom.Document
	for _, m := range merges {
		o, err := decodeFile("--merge", m, "")
		if err != nil {
			return nil, err
		}
		others = append(others, o)
	}
	return sbom.Merge(doc, others, opts...)
}

func summary(doc *sbom.Document) sbomResult {
	res := sbomResult{Spec: string(doc.SpecVersion()), Serial: doc.SerialNumber(), Components: len(doc.Components())}
	if s, err := doc.Subject(); err == nil {
		res.Subject, res.Name = s.Digest(), s.Name
	} else if c, ok := doc.Component(); ok {
		res.Name = c.Name
	}
	res.Source, _ = doc.Property(sbom.PropSource)
	return res
}

func sbomCheck(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sbom check", stderr)
	sbomFile := fs.String("sbom", "", "SBOM `FILE` (CycloneDX 1.4-1.7, JSON or XML)")
	artifact := fs.String("artifact", "", "artifact `FILE` the SBOM must describe")
	format := fs.String("format", "", "json or xml (default: from the file name, .xml or else json)")
	sum := fs.String("sha256", "", "SHA-256 `HEX` the release recorded for the SBOM file (checked first)")
	asJSON := fs.Bool("json", false, "print a JSON result")
	fs.Usage = func() {
		fmt.Fprint(stderr, "relctl sbom check: verify an SBOM is well formed and bound to the artifact's digest\n\n", sbomUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *sbomFile == "" || *artifact == "" {
		fs.Usage()
		return usagef("--sbom and --artifact are required")
	}
	s, err := subjectOfFile(*artifact)
	if err != nil {
		return sbomErr(err)
	}
	doc, err := func() (*sbom.Document, error) {
		if *sum != "" {
			data, err := readInput("--sbom", *sbomFile, maxDocumentFile)
			if err != nil {
				return nil, err
			}
			f, err := fileFormat(*sbomFile, *format)
			if err != nil {
				return nil, err
			}
			// The file is read from the path given; the location is only
			// informative here, so its base name stands for it.
			ref := sbom.Reference{Location: filepath.Base(*sbomFile), MediaType: sbom.MediaType(f, sbom.DefaultSpec), SHA256: strings.ToLower(*sum)}
			return ref.Open(data, s)
		}
		doc, err := decodeFile("--sbom", *sbomFile, *format)
		if err != nil {
			return nil, err
		}
		return doc, sbom.Check(doc, s)
	}()
	if !*asJSON {
		if err != nil {
			return sbomErr(err)
		}
		fmt.Fprintf(stdout, "ok %s describes %s (%s)\n", *sbomFile, s.Digest(), *artifact)
		return nil
	}
	res := sbomResult{Subject: s.Digest(), Name: s.Name, OK: err == nil}
	if doc != nil {
		sum := summary(doc)
		sum.Subject, sum.Name, sum.OK = res.Subject, res.Name, res.OK
		res = sum
	}
	if err != nil {
		res.Error = err.Error()
	}
	if werr := writeJSON(stdout, res); werr != nil {
		return werr
	}
	if err != nil {
		return errSilent
	}
	return nil
}

func sbomAttest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sbom attest", stderr)
	sbomFile := fs.String("sbom", "", "CycloneDX JSON SBOM `FILE`")
	artifact := fs.String("artifact", "", "artifact `FILE` the SBOM describes")
	keyFile := fs.String("key", "", "PEM private `KEY` to sign a DSSE envelope (default: print the unsigned statement)")
	out := fs.String("out", "", "write to `FILE` (atomically) instead of standard output")
	fs.Usage = func() {
		fmt.Fprint(stderr, "relctl sbom attest: an in-toto statement (predicate https://cyclonedx.org/bom) for the artifact\n\n", sbomUsage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *sbomFile == "" || *artifact == "" {
		fs.Usage()
		return usagef("--sbom and --artifact are required")
	}
	s, err := subjectOfFile(*artifact)
	if err != nil {
		return sbomErr(err)
	}
	doc, err := decodeFile("--sbom", *sbomFile, "")
	if err != nil {
		return sbomErr(err)
	}
	st, err := sbom.BOMStatement(doc, s)
	if err != nil {
		return err
	}
	return emitStatement(ctx, st, *keyFile, *out, stdout)
}

func fileFormat(path, format string) (sbom.Format, error) {
	if format != "" {
		f, err := sbom.ParseFormat(format)
		if err != nil {
			return "", usageError{err}
		}
		return f, nil
	}
	if strings.EqualFold(filepath.Ext(path), ".xml") {
		return sbom.XML, nil
	}
	return sbom.JSON, nil
}

func decodeFile(flag, path, format string) (*sbom.Document, error) {
	f, err := fileFormat(path, format)
	if err != nil {
		return nil, err
	}
	data, err := readInput(flag, path, maxDocumentFile)
	if err != nil {
		return nil, err
	}
	doc, err := sbom.Read(bytes.NewReader(data), f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}
