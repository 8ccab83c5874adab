package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/manifest"
)

// tokenEnv is the environment variable a CI job can put its OIDC ID token
// in instead of a file (GitLab CI's id_tokens names the variable:
// `id_tokens: RELCTL_ID_TOKEN: aud: releasekit`).
const tokenEnv = "RELCTL_ID_TOKEN"

// maxTokenFile bounds an ID-token file (a JWT is a few kilobytes).
const maxTokenFile = 64 << 10

// errIdentity refuses an identity that cannot be established: a token
// given with no trusted issuer configured, or a token whose identity is not
// the --releaser given.
var errIdentity = errors.New("identity not established")

// identityFlags say who acts: a CI OIDC ID token (verified against the
// configuration's identity.issuers), or a typed identity.
type identityFlags struct {
	idToken  *string
	releaser *string
}

func addIdentityFlags(fs *flag.FlagSet) identityFlags {
	return identityFlags{
		idToken:  addIDTokenFlag(fs),
		releaser: fs.String("releaser", "", "the identity `ID` that acts, typed (recorded as unverified); with --id-token it must be the token's identity"),
	}
}

func addIDTokenFlag(fs *flag.FlagSet) *string {
	return fs.String("id-token", "", "the CI system's OIDC ID token in `FILE` (default: $"+tokenEnv+"), verified against the configuration's identity.issuers: the identity that acts, recorded as verified")
}

// token returns the raw ID token: the --id-token file, else $RELCTL_ID_TOKEN,
// else nil.
func (f identityFlags) token() ([]byte, error) {
	if *f.idToken != "" {
		return readInput("--id-token", *f.idToken, maxTokenFile)
	}
	if v := os.Getenv(tokenEnv); v != "" {
		return []byte(v), nil
	}
	return nil, nil
}

// actor returns who acts. With a token it must verify against cfg's
// trusted issuers and, when --releaser is given too, name the same person;
// the actor is then verified. Without one it is the typed --releaser,
// unverified, or nil when neither is given.
func (f identityFlags) actor(ctx context.Context, cfg *config.Config) (*manifest.Actor, error) {
	raw, err := f.token()
	if err != nil {
		return nil, err
	}
	if raw == nil {
		if *f.releaser == "" {
			return nil, nil
		}
		return &manifest.Actor{Name: *f.releaser}, nil
	}
	if cfg == nil || len(cfg.Identity.Issuers) == 0 {
		return nil, identityRefusal(fmt.Errorf("%w: an ID token was given, but no trusted issuer is configured (identity.issuers in %s)", errIdentity, config.FileName))
	}
	a, err := cfg.VerifyToken(ctx, raw)
	if err != nil {
		return nil, identityRefusal(err)
	}
	if *f.releaser != "" {
		same, err := cfg.Conflict(a.Name, *f.releaser)
		if err != nil {
			return nil, identityRefusal(err)
		}
		if !same {
			return nil, identityRefusal(fmt.Errorf("%w: --releaser %q is not the token's identity %q", errIdentity, *f.releaser, a.Name))
		}
	}
	return &a, nil
}

// identityRefusal is a refusal to act on an identity that could not be
// established; it answers to REL-ENV-001 (who may act in an environment).
func identityRefusal(err error) error {
	return &controlError{err, []string{"REL-ENV-001"}}
}
