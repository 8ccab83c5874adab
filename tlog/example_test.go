package tlog_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/releasekit/releasekit/tlog"
)

// exampleKey is a fixed key for the examples (seed bytes 0x2a): never
// sign with a key printed in documentation.
func exampleKey() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = 0x2a
	}
	return ed25519.NewKeyFromSeed(seed)
}

// exampleLog appends n entries to a tree and returns it with its nodes.
func exampleLog(n int) (tlog.Tree, *tlog.MemNodes) {
	var tree tlog.Tree
	nodes := new(tlog.MemNodes)
	for i := range n {
		if err := tree.Append(tlog.LeafHash(fmt.Appendf(nil, "entry %d", i)), nodes.Put); err != nil {
			panic(err)
		}
	}
	return tree, nodes
}

// A log signs the checkpoint of its tree with a key named after its
// origin: the C2SP tlog-checkpoint text, then the note signature line.
func ExampleSignCheckpoint() {
	tree, _ := exampleLog(3)
	root, err := tree.Root()
	if err != nil {
		panic(err)
	}
	signer, err := tlog.NewSigner("example.com/log", exampleKey())
	if err != nil {
		panic(err)
	}
	msg, err := tlog.SignCheckpoint(tlog.Checkpoint{Origin: "example.com/log", Size: tree.Size, Root: root}, signer)
	if err != nil {
		panic(err)
	}
	fmt.Print(string(msg))
	// Output:
	// example.com/log
	// 3
	// lPvQ3YNvUDAWkubQ6t5yjuGexSv/8WBu2AfIV11aqhk=
	//
	// — example.com/log WEkPi9jm9IcNkn5KNFyfJaKXRVnxR7JaKKTagsBO0Pn/VDAdTyK2mc9uIGMUhKE/494k2WAjC8Trd81eHFColybw/A8=
}

// An auditor given the log's verifier key opens a checkpoint; a changed
// one is refused.
func ExampleOpenCheckpoint() {
	key := exampleKey()
	signer, _ := tlog.NewSigner("example.com/log", key)
	msg, _ := tlog.SignCheckpoint(tlog.Checkpoint{Origin: "example.com/log", Size: 0, Root: tlog.EmptyRoot}, signer)

	vkey, _ := tlog.VerifierKey("example.com/log", key.Public().(ed25519.PublicKey))
	known, err := tlog.ParseVerifierKeys([]byte(vkey + "\n"))
	if err != nil {
		panic(err)
	}
	c, _, err := tlog.OpenCheckpoint(msg, known)
	fmt.Println(c.Origin, c.Size, err)

	msg[len("example.com/log\n")] = '1' // a size of 1
	_, _, err = tlog.OpenCheckpoint(msg, known)
	fmt.Println(errors.Is(err, tlog.ErrBadSignature))
	// Output:
	// example.com/log 0 <nil>
	// true
}

// A newer checkpoint extends an older one when the consistency proof
// between their trees verifies; a log cut back to an older state does
// not.
func ExampleVerifyCheckpoints() {
	ctx := context.Background()
	tree, nodes := exampleLog(10)
	checkpoint := func(size uint64) tlog.Checkpoint {
		t, _ := tlog.TreeAt(ctx, nodes, size)
		root, _ := t.Root()
		return tlog.Checkpoint{Origin: "example.com/log", Size: size, Root: root}
	}
	older, newer := checkpoint(4), checkpoint(tree.Size)
	proof, err := tlog.ConsistencyProof(ctx, nodes, older.Size, newer.Size)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(proof), "hashes:", tlog.VerifyCheckpoints(older, newer, proof))
	fmt.Println(tlog.VerifyCheckpoints(newer, older, nil))
	// Output:
	// 2 hashes: <nil>
	// tlog: checkpoints: tree shrank from 10 to 4 leaves (truncated)
}

// A witness cosigns a checkpoint the log signed, once it has checked that
// the tree extends the last one it cosigned.
func ExampleCosign() {
	ctx := context.Background()
	_, nodes := exampleLog(10)
	logKey := exampleKey()
	signer, _ := tlog.NewSigner("example.com/log", logKey)
	checkpoint := func(size uint64) (tlog.Checkpoint, []byte) {
		t, _ := tlog.TreeAt(ctx, nodes, size)
		root, _ := t.Root()
		c := tlog.Checkpoint{Origin: "example.com/log", Size: size, Root: root}
		msg, _ := tlog.SignCheckpoint(c, signer)
		return c, msg
	}
	seen, _ := checkpoint(6)
	_, msg := checkpoint(10)
	proof, _ := tlog.ConsistencyProof(ctx, nodes, 6, 10)

	witness, err := tlog.NewWitness("witness.example.com", ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
	if err != nil {
		panic(err)
	}
	cosigned, seen, err := tlog.Cosign(msg, witness, tlog.CosignRequest{
		Log:      tlog.Ed25519Keys{logKey.Public().(ed25519.PublicKey)},
		Previous: seen,
		Proof:    proof,
		Time:     time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("witness now at size", seen.Size)
	_, at, err := tlog.VerifyCosignature(cosigned, witness.Verifier())
	fmt.Println(at, err)
	// Output:
	// witness now at size 10
	// 2026-01-02 03:04:05 +0000 UTC <nil>
}
