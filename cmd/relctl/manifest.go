package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/releasekit/releasekit/manifest"
)

// cmdManifest implements `relctl manifest build|sign|verify|diff`.
func cmdManifest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(args, "build", "sign", "verify", "diff")
	if err != nil {
		return err
	}
	fs := newFlags("manifest "+sub, stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	var (
		storeDir, gitStore, name, out, file, sig, key, format, passEnv, keyring, allowed, principal *string
	)
	switch sub {
	case "build":
		storeDir = fs.String("store", "", "evidence store `DIR` holding the repositories' records")
		gitStore = fs.String("git-store", "", "git store `REPO`")
		name = fs.String("name", "", "the coordinated release `NAME` (required)")
		out = fs.String("out", "", "write the manifest to `FILE` (default: stdout)")
	case "sign":
		file = fs.String("manifest", "", "manifest `FILE` (required)")
		sig = fs.String("sig", "", "write the signature to `FILE` (default: manifest FILE + .sig)")
		key = fs.String("key", "", "private key `FILE` (required)")
		format = fs.String("format", "ssh", "key format: `ssh` or openpgp")
		passEnv = fs.String("passphrase-env", "", "read the key passphrase from the environment variable `VAR`")
	case "verify":
		file = fs.String("manifest", "", "manifest `FILE` (required)")
		sig = fs.String("sig", "", "signature `FILE` (default: manifest FILE + .sig)")
		keyring = fs.String("keyring", "", "trust the armored OpenPGP keys in `FILE`")
		allowed = fs.String("allowed-signers", "", "trust the SSH allowed_signers `FILE` (namespace "+manifest.Namespace+")")
		principal = fs.String("principal", "", "with --allowed-signers, require this `PRINCIPAL`")
	}
	fs.Usage = func() {
		fmt.Fprintln(stderr, map[string]string{
			"build":  "Usage: relctl manifest build --store DIR --name NAME [--out FILE] REPO=TAG...",
			"sign":   "Usage: relctl manifest sign --manifest FILE --key FILE [--format ssh|openpgp] [--sig FILE]",
			"verify": "Usage: relctl manifest verify --manifest FILE (--keyring FILE | --allowed-signers FILE) [--sig FILE]",
			"diff":   "Usage: relctl manifest diff OLD NEW",
		}[sub])
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	switch sub {
	case "build":
		if *name == "" || fs.NArg() == 0 {
			return usagef("--name and at least one REPO=TAG are required")
		}
		st, err := storeFlags{dir: storeDir, gitRepo: gitStore, json: asJSON}.open()
		if err != nil {
			return err
		}
		m := manifest.Manifest{Version: manifest.ManifestVersion, Name: *name}
		for _, arg := range fs.Args() {
			repoName, tag, ok := strings.Cut(arg, "=")
			if !ok || repoName == "" || tag == "" {
				return usagef("%q is not REPO=TAG", arg)
			}
			rec, err := st.Record(ctx, tag)
			if err != nil {
				return evidenceErr(err)
			}
			if err := manifest.Check(rec).Err(); err != nil {
				return err
			}
			m.Repos = append(m.Repos, manifest.Repo{Name: repoName, Tag: rec.Tag, Commit: rec.Commit,
				Artifacts: rec.Artifacts, SBOM: rec.SBOM.Digest, Provenance: rec.Provenance.Ref})
		}
		data, err := manifest.Marshal(m)
		if err != nil {
			return evidenceErr(err)
		}
		if *out == "" {
			_, err := stdout.Write(append(data, '\n'))
			return err
		}
		if err := writeFileAtomic(*out, data); err != nil {
			return err
		}
		return printDigest(stdout, *out, manifest.Digest(data), *asJSON)
	case "sign":
		if *file == "" || *key == "" || fs.NArg() > 0 {
			return usagef("--manifest and --key are required")
		}
		data, err := readInput("--manifest", *file, maxInputFile)
		if err != nil {
			return err
		}
		m, err := manifest.ParseManifest(data)
		if err != nil {
			return usageError{err}
		}
		signer, err := evidenceSigner("--key", *key, *format, *passEnv)
		if err != nil {
			return err
		}
		canon, err := manifest.Marshal(m)
		if err != nil {
			return err
		}
		s, err := manifest.Sign(ctx, m, signer)
		if err != nil {
			return err
		}
		if !bytes.Equal(canon, data) {
			// Sign the canonical form: rewrite the file so it matches.
			if err := writeFileAtomic(*file, canon); err != nil {
				return err
			}
		}
		sigPath := *sig
		if sigPath == "" {
			sigPath = *file + ".sig"
		}
		if err := writeFileAtomic(sigPath, s); err != nil {
			return err
		}
		return printDigest(stdout, sigPath, manifest.Digest(canon), *asJSON)
	case "verify":
		if *file == "" || fs.NArg() > 0 {
			return usagef("--manifest is required")
		}
		if *keyring == "" && *allowed == "" {
			// The release configuration's trust.manifests.
			cfg, err := loadConfig("", ".")
			if err != nil {
				return err
			}
			if cfg != nil {
				*keyring, *allowed = cfg.Trust.Manifests.Keyring, cfg.Trust.Manifests.AllowedSigners
			}
		}
		v, err := trustedKeys(*keyring, *allowed, *principal, manifest.Namespace)
		if err != nil {
			return err
		}
		data, err := readInput("--manifest", *file, maxInputFile)
		if err != nil {
			return err
		}
		sigPath := *sig
		if sigPath == "" {
			sigPath = *file + ".sig"
		}
		s, err := readInput("--sig", sigPath, maxInputFile)
		if err != nil {
			return err
		}
		m, verr := manifest.Open(ctx, data, s, v, time.Now())
		res := struct {
			Manifest string `json:"manifest"`
			Valid    bool   `json:"valid"`
			Digest   string `json:"digest"`
			Name     string `json:"name,omitempty"`
			Error    string `json:"error,omitempty"`
		}{Manifest: *file, Valid: verr == nil, Digest: manifest.Digest(data), Name: m.Name}
		if verr != nil {
			res.Error = verr.Error()
		}
		if *asJSON {
			return writeVerdict(stdout, res, verr)
		}
		if verr != nil {
			return verr
		}
		fmt.Fprintf(stdout, "%s: valid signature, %s %s\n", *file, m.Name, res.Digest)
		return nil
	case "diff":
		if fs.NArg() != 2 {
			return usagef("give OLD and NEW manifest files")
		}
		var ms [2]manifest.Manifest
		for i := range 2 {
			data, err := readInput("", fs.Arg(i), maxInputFile)
			if err != nil {
				return err
			}
			if ms[i], err = manifest.ParseManifest(data); err != nil {
				return usageError{fmt.Errorf("%s: %w", fs.Arg(i), err)}
			}
		}
		d := manifest.Diff(ms[0], ms[1])
		if *asJSON {
			return writeJSON(stdout, d)
		}
		for _, r := range d.Added {
			fmt.Fprintf(stdout, "+ %s\n", r)
		}
		for _, r := range d.Removed {
			fmt.Fprintf(stdout, "- %s\n", r)
		}
		for _, c := range d.Changed {
			fmt.Fprintf(stdout, "~ %s: %s\n", c.Name, strings.Join(c.Fields, ", "))
			if c.Old.Tag != c.New.Tag {
				fmt.Fprintf(stdout, "    tag %s -> %s\n", c.Old.Tag, c.New.Tag)
			}
			for _, dd := range c.Digests {
				fmt.Fprintf(stdout, "    %s %s -> %s\n", dd.Name, orNone(dd.Old), orNone(dd.New))
			}
		}
		if d.Empty() {
			fmt.Fprintln(stdout, "no changes")
		}
	}
	return nil
}

func printDigest(w io.Writer, file, digest string, asJSON bool) error {
	if asJSON {
		return writeJSON(w, map[string]string{"file": file, "digest": digest})
	}
	_, err := fmt.Fprintf(w, "%s %s\n", digest, file)
	return err
}
