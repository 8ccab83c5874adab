package sbom_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

// A minimal SBOM for a tarball, bound to its digest, serial number and
// timestamp fixed so that the document's own digest is reproducible.
func ExampleForArtifact() {
	art, _ := sbom.SubjectOf("shop-1.2.3.tar.gz", strings.NewReader("the tarball's bytes"))
	doc, err := sbom.ForArtifact(art,
		sbom.WithSerialNumber("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"),
		sbom.WithTimestamp(time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := doc.Subject()
	fmt.Println(s.Name, s.Digest())
	fmt.Println(doc.SpecVersion(), doc.SerialNumber())
	// Output:
	// shop-1.2.3.tar.gz sha256:85bd554fef093ccaebdf8d0163890d41cbe133344898c10b3fdf6ba4fda55207
	// 1.6 urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79
}

// The SBOM of a Go module from go.mod and go.sum alone (no go command), with
// the reduced precision stated in the document.
func ExampleFromModule() {
	doc, err := sbom.FromModule(context.Background(), "testdata/mod", sbom.WithoutGoCommand())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range doc.Components() {
		fmt.Println(c.PURL)
	}
	src, _ := doc.Property(sbom.PropSource)
	fmt.Println("source:", src)
	// Output:
	// pkg:golang/github.com/docker/docker@v24.0.7%2Bincompatible
	// pkg:golang/github.com/google/uuid@v1.6.0
	// pkg:golang/golang.org/x/text@v0.15.0
	// pkg:golang/gopkg.in/yaml.v3@v3.0.1
	// source: go.mod and go.sum only
}

// Attaching: the release records where the SBOM is and its SHA-256; reading
// it back re-hashes it, so an edited or swapped SBOM is detected.
func ExampleAttach() {
	art, _ := sbom.SubjectOf("app", strings.NewReader("app"))
	doc, _ := sbom.ForArtifact(art)
	published, _ := doc.Bytes(sbom.JSON)
	ref := sbom.Attach("sbom/app.cdx.json", published, sbom.JSON, doc.SpecVersion())
	fmt.Println(ref.MediaType)

	if _, err := ref.Open(published, art); err == nil {
		fmt.Println("SBOM verified")
	}
	edited := bytes.Replace(published, []byte(`"version": 1`), []byte(`"version": 2`), 1)
	_, err := ref.Open(edited, art)
	fmt.Println(errors.Is(err, sbom.ErrReferenceMismatch))
	// Output:
	// application/vnd.cyclonedx+json; version=1.6
	// SBOM verified
	// true
}

// Read reads SBOMs from other tools and Check binds them to an artifact.
func ExampleRead() {
	f, err := os.Open("testdata/read/tools-object-1.5.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	doc, err := sbom.Read(f, sbom.JSON)
	if err != nil {
		fmt.Println(err)
		return
	}
	want := sbom.Subject{SHA256: strings.Repeat("0", 63) + "1"}
	fmt.Println(doc.SpecVersion(), sbom.Check(doc, want))
	want.SHA256 = strings.Repeat("f", 64)
	fmt.Println(errors.Is(sbom.Check(doc, want), sbom.ErrSubjectMismatch))
	// Output:
	// 1.5 <nil>
	// true
}

// Signing provenance in a DSSE envelope and verifying it. The key here is a
// fixed Ed25519 key; in CI it is an OpenPGP or SSH key (package signature), or any
// crypto.Signer.
func ExampleSignProvenance() {
	ctx := context.Background()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	signer, _ := signature.NewKeySigner(key)
	verifier, _ := signature.NewKeyVerifier(key.Public())

	art, _ := sbom.SubjectOf("app", strings.NewReader("app"))
	p, _ := sbom.ProvenanceFromCI(map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_REF": "refs/tags/v1.2.3",
		"GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "GITHUB_RUN_ID": "42",
	})
	p.StartedOn = time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	env, err := sbom.SignProvenance(ctx, []sbom.Subject{art}, p, signer)
	if err != nil {
		fmt.Println(err)
		return
	}
	at := time.Date(2026, 2, 1, 13, 0, 0, 0, time.UTC) // the verification time
	got, err := sbom.VerifyProvenance(ctx, env, art, at, verifier)
	fmt.Println(got.BuilderID, err)

	other, _ := sbom.SubjectOf("other", strings.NewReader("other"))
	_, err = sbom.VerifyProvenance(ctx, env, other, at, verifier)
	fmt.Println(errors.Is(err, sbom.ErrSubjectMismatch))
	// Output:
	// https://github.com/actions/runner/github-hosted <nil>
	// true
}
