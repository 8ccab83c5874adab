package ocistore_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/ocistore"
	"github.com/releasekit/releasekit/tlog"
)

// Open takes a repository, never a tag or a digest: the store names its
// own tags. (This example reaches no registry.)
func ExampleOpen_reference() {
	_, err := ocistore.Open(context.Background(), "registry.example.com/acme/releases:v1.2.0")
	fmt.Println(err)
	// Output:
	// ocistore: open "registry.example.com/acme/releases:v1.2.0": invalid reference: a repository, without tag or digest
}

// A CI job appends a promotion to the log in the registry and proves that
// it is in the tree. The tests run the same calls against a real registry.
func ExampleStore_Append() {
	ctx := context.Background()
	st, err := ocistore.Open(ctx, "registry.example.com/acme/releases", ocistore.WithDockerConfig(""))
	if err != nil {
		log.Fatal(err)
	}
	e, err := st.Append(ctx, manifest.Entry{Kind: manifest.KindNote, Note: "production freeze lifted"})
	var unsupported *ocistore.UnsupportedError
	if errors.As(err, &unsupported) {
		log.Fatal("this registry cannot take concurrent appends safely: ", err)
	}
	if err != nil {
		log.Fatal(err)
	}
	tree, err := st.Tree(ctx)
	if err != nil {
		log.Fatal(err)
	}
	proof, err := tlog.InclusionProof(ctx, st, e.Seq-1, tree.Size)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(proof), "hashes prove entry", e.Seq)
}

// The SBOM and the provenance of an image are attached to its digest,
// where cosign and oras discover them.
func ExampleStore_Attach() {
	ctx := context.Background()
	st, err := ocistore.Open(ctx, "registry.example.com/acme/app", ocistore.WithDockerConfig(""))
	if err != nil {
		log.Fatal(err)
	}
	image := "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	if _, err := st.Attach(ctx, ocistore.AttachRequest{Subject: image, ArtifactType: ocistore.ArtifactTypeSBOM, Data: []byte(`{"bomFormat":"CycloneDX"}`)}); err != nil {
		log.Fatal(err)
	}
	refs, err := st.Referrers(ctx, image, "")
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range refs {
		fmt.Println(r.ArtifactType, r.Digest)
	}
}
