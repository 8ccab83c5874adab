package tlog_test

// This file imports github.com/transparency-dev/merkle and the standard
// library only: an inclusion proof written by this package verifies with
// merkle's proof.VerifyInclusion alone.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

func TestInclusionProofVerifiesWithMerkleAlone(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "interop", "inclusion.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		LeafIndex uint64   `json:"leaf_index"`
		TreeSize  uint64   `json:"tree_size"`
		Leaf      []byte   `json:"leaf"`
		Proof     [][]byte `json:"proof"`
		Root      []byte   `json:"root"`
	}
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	h := rfc6962.DefaultHasher
	if err := proof.VerifyInclusion(h, p.LeafIndex, p.TreeSize, h.HashLeaf(p.Leaf), p.Proof, p.Root); err != nil {
		t.Fatalf("proof.VerifyInclusion: %v", err)
	}
	if err := proof.VerifyInclusion(h, p.LeafIndex, p.TreeSize, h.HashLeaf([]byte("entry 7")), p.Proof, p.Root); err == nil {
		t.Fatal("the proof of entry 6 verified for another leaf")
	}
}
