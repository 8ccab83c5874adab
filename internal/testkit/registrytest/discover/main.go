// Command discover lists the referrers of a manifest with
// go-containerregistry's remote.Referrers, the client cosign uses to find
// attestations attached to an image (the referrers API, else the
// referrers tag schema of the OCI distribution specification 1.1). The
// tests of package ocistore run it as an independent check that what the
// store attaches is discoverable by other tools.
//
//	discover HOST:PORT/REPO@sha256:HEX [ARTIFACT-TYPE]
//
// prints the referrers as a JSON array of descriptors. Plain HTTP is used
// for 127.0.0.1 and localhost only.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

type referrer struct {
	Digest       string            `json:"digest"`
	MediaType    string            `json:"mediaType"`
	ArtifactType string            `json:"artifactType"`
	Size         int64             `json:"size"`
	Annotations  map[string]string `json:"annotations"`
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "discover:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 1 || len(args) > 2 {
		return fmt.Errorf("usage: discover HOST:PORT/REPO@sha256:HEX [ARTIFACT-TYPE]")
	}
	ref, err := name.NewDigest(args[0], name.Insecure)
	if err != nil {
		return err
	}
	var opts []remote.Option
	if len(args) == 2 {
		opts = append(opts, remote.WithFilter("artifactType", args[1]))
	}
	idx, err := remote.Referrers(ref, opts...)
	if err != nil {
		return err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	out := []referrer{}
	for _, m := range im.Manifests {
		if len(args) == 2 && m.ArtifactType != args[1] {
			continue // the filter is a hint a registry may ignore
		}
		out = append(out, referrer{Digest: m.Digest.String(), MediaType: string(m.MediaType), ArtifactType: m.ArtifactType, Size: m.Size, Annotations: m.Annotations})
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
