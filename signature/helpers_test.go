package signature_test

import (
	"time"

	"github.com/releasekit/releasekit/internal/testkit/keytest"
)

// Key helpers shared with the other packages' tests (internal/testkit/keytest).
var (
	need           = keytest.Need
	pgpKey         = keytest.PGPKey
	armoredPublic  = keytest.ArmoredPublic
	armoredPrivate = keytest.ArmoredPrivate
	sshKey         = keytest.SSHKey
	sshSigner      = keytest.SSHSigner
)

// gitNamespace is the SSH namespace git signs tags in.
const gitNamespace = "git"

// verifyAt is the verification time of the tests.
var verifyAt = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
