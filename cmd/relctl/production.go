package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// This file decides what a promotion or rollback must pass (§1.12.3.4,
// §1.21.3.1–§1.21.3.2): the release configuration gives the order, the
// production environments, who may do what and the trusted keys; flags
// override it; nothing reaches production on defaults.

// defaultOrder is the promotion order without a configuration.
var defaultOrder = []string{"dev", "staging", "prod"}

// errNoConfig refuses a production promotion without a release
// configuration (exit 1).
var errNoConfig = &controlError{errors.New("no release configuration"), []string{"REL-ENV-001"}}

// A controlError is a refusal relctl makes itself, with the IDs of the
// controls it answers to (manifest.Controls reads them for the log).
type controlError struct {
	err      error
	controls []string
}

func (e *controlError) Error() string      { return e.err.Error() }
func (e *controlError) Unwrap() error      { return e.err }
func (e *controlError) Controls() []string { return e.controls }

// guardRefusal marks a production guard's refusal (a configuration or
// keys named on the command line in place of the repository's, without
// the -unsafe flag that allows it): still bad usage (exit 2), and logged
// as a denial of the attempt, answering to REL-ENV-001.
func guardRefusal(err error) error {
	return &controlError{err, []string{"REL-ENV-001"}}
}

// promotionFlags are the flags of promote and rollback that say what the
// promotion is decided under.
type promotionFlags struct {
	config        *string
	orderUnsafe   *string
	skipSignature *bool
	trustOverride *bool
	cfgOverride   *bool
	releaser      *string
	idToken       *string
	repo          *string
	// configDigest is set by establish: the digest of the configuration
	// decided under, which the denials relctl logs record.
	configDigest *string
	keyring      *string
	allowed      *string
}

func addPromotionFlags(fs *flag.FlagSet, withKeys bool) promotionFlags {
	pf := promotionFlags{
		config:        addConfigFlag(fs),
		orderUnsafe:   fs.String("order-unsafe", "", "UNSAFE: promote in this `ORDER` of environments (comma-separated) instead of the configuration's; recorded in the log entry, and the audit trail flags every environment it skips"),
		skipSignature: fs.Bool("skip-signature-unsafe", false, "UNSAFE: promote into production without verifying the release tag's (or manifest's) signature; recorded in the log entry"),
		cfgOverride:   fs.Bool("config-override-unsafe", false, "UNSAFE: in production, decide under --config FILE although the repository has its own, different .releasekit.yaml; recorded in the log entry"),
		trustOverride: fs.Bool("trust-override-unsafe", false, "UNSAFE: in production, verify against --keyring/--allowed-signers instead of the configuration's trust; recorded in the log entry"),
		releaser:      fs.String("releaser", "", "the identity `ID` that starts this promotion, typed (logged as unverified): authorised against the configuration (required for production) and checked for separation of duties; with --id-token it must be the token's identity"),
		idToken:       addIDTokenFlag(fs),
		configDigest:  new(string),
		repo:          new(string),
		keyring:       new(string),
		allowed:       new(string),
	}
	if withKeys {
		pf.keyring = fs.String("keyring", "", "verify the release tag (or manifest) against the OpenPGP keys in `FILE` instead of the configuration's trust.tags")
		pf.allowed = fs.String("allowed-signers", "", "verify the release tag (or manifest) against the SSH allowed_signers `FILE` instead of the configuration's trust.tags")
		pf.repo = fs.String("repo", "", "repository `DIR` holding the release tag (default: the repository around the working directory)")
	}
	return pf
}

// addReportFlags are the flags of deploy report that say what it is decided
// under: the configuration (and its production guard), the order override,
// the repository and who acts. Signature and trust flags do not apply.
func addReportFlags(fs *flag.FlagSet) promotionFlags {
	return promotionFlags{
		config:        addConfigFlag(fs),
		orderUnsafe:   fs.String("order-unsafe", "", "UNSAFE: report in this `ORDER` of environments (comma-separated) instead of the configuration's; recorded in the log entry"),
		skipSignature: new(bool),
		cfgOverride:   fs.Bool("config-override-unsafe", false, "UNSAFE: in production, decide under --config FILE although the repository has its own, different .releasekit.yaml; recorded in the log entry"),
		trustOverride: new(bool),
		releaser:      fs.String("releaser", "", "the identity `ID` that reports, typed (logged as unverified); with --id-token it must be the token's identity"),
		idToken:       addIDTokenFlag(fs),
		configDigest:  new(string),
		repo:          fs.String("repo", "", "repository `DIR` holding the releases' commits, to list the files that changed since what ENV ran before, and its .releasekit.yaml (default: the repository around the working directory)"),
		keyring:       new(string),
		allowed:       new(string),
	}
}

// A decision is what a promotion or rollback is decided under.
type decision struct {
	cfg  *config.Config
	opts []manifest.Option
	// production is the first production environment (what the policy
	// gate treats as production).
	production string
	// prodEnv reports whether env is a production environment.
	prodEnv bool
	// configDigest is the digest of the configuration decided under, or "".
	configDigest string
}

// decide loads the configuration and returns the options of a promotion or
// rollback into env. tagNS is the namespace of the signatures the trusted
// keys check (tagging.GitNamespace for tags, manifest.Namespace for
// manifests); needTags says whether a tag verifier over the repository is
// wanted (record promotions), as opposed to a bare signature verifier
// (manifests), which is returned.
func (pf promotionFlags) decide(env, tagNS string, needTags bool, stderr io.Writer) (decision, signature.Verifier, error) {
	var d decision
	cfgDir := *pf.repo
	if cfgDir == "" {
		cfgDir = "."
	}
	cfg, err := loadConfig(*pf.config, cfgDir)
	if err != nil {
		return d, nil, err
	}
	d.cfg = cfg
	order := defaultOrder
	var prods []string
	if cfg != nil {
		order = cfg.Order()
		for _, e := range cfg.Environments {
			if e.Production {
				prods = append(prods, e.Name)
			}
		}
	}
	if *pf.orderUnsafe != "" {
		order = splitList(*pf.orderUnsafe)
		if len(order) == 0 {
			return d, nil, usagef("--order-unsafe is empty")
		}
		d.opts = append(d.opts, manifest.WithUnsafe("order-unsafe"))
		fmt.Fprintf(stderr, "relctl: warning: --order-unsafe %s overrides the promotion order; the log entry records it\n", *pf.orderUnsafe)
	}
	if cfg == nil {
		// Without a configuration, "prod" and the last environment of the
		// order are production: both fail closed.
		prods = []string{"prod", order[len(order)-1]}
	}
	if !slices.Contains(order, env) && cfg != nil {
		return d, nil, usagef("--env %s: not an environment of %s (%v)", env, cfg.File, order)
	}
	d.opts = append(d.opts, manifest.WithOrder(order...), manifest.WithProduction(prods...))
	d.prodEnv = slices.Contains(prods, env)
	if len(prods) > 0 {
		d.production = prods[0]
		if d.prodEnv {
			d.production = env
		}
	}
	if d.prodEnv && cfg == nil {
		return d, nil, fmt.Errorf("%w: %s is production, and promotions into production are refused without one: write %s at the repository root (or pass --config FILE) naming the trusted tag keys (trust.tags) and who may approve (environments[].approvers); `relctl config validate` checks it and `relctl config explain` prints the access policy it sets",
			errNoConfig, env, config.FileName)
	}
	if cfg != nil {
		d.opts = append(d.opts, manifest.WithAuthorizer(cfg))
		digest, err := configDigest(cfg.File)
		if err != nil {
			return d, nil, err
		}
		d.opts = append(d.opts, manifest.WithConfigDigest(digest))
		d.configDigest = digest
	}
	if d.prodEnv && cfg != nil && *pf.config != "" {
		// A configuration named on the command line must not replace the
		// repository's own for production without saying so.
		if own, err := config.Find(cfgDir); err == nil && !sameFile(own, cfg.File) {
			if !*pf.cfgOverride {
				return d, nil, guardRefusal(usagef("--config %s: the repository's configuration is %s; production is decided under it unless --config-override-unsafe", *pf.config, own))
			}
			fmt.Fprintln(stderr, "relctl: warning: --config-override-unsafe: production is decided under", cfg.File, "not the repository's", own, "; the log entry records it")
			d.opts = append(d.opts, manifest.WithUnsafe("config-override-unsafe"))
		}
	}
	if d.prodEnv && cfg != nil && (*pf.keyring != "" || *pf.allowed != "") {
		// The configuration is the production trust root: keys given on
		// the command line replace it only when asked by name.
		if !*pf.trustOverride {
			return d, nil, guardRefusal(usagef("in production the release is verified against %s's trust; --keyring/--allowed-signers replace it only with --trust-override-unsafe", cfg.File))
		}
		fmt.Fprintln(stderr, "relctl: warning: --trust-override-unsafe: production trusts the keys on the command line, not the configuration's; the log entry records it")
		d.opts = append(d.opts, manifest.WithUnsafe("trust-override-unsafe"))
	}
	v, err := pf.verifier(cfg, tagNS, d.prodEnv)
	if err != nil {
		return d, nil, err
	}
	if *pf.skipSignature {
		d.opts = append(d.opts, manifest.WithSkipSignatureUnsafe())
		if v == nil && d.prodEnv {
			fmt.Fprintln(stderr, "relctl: warning: --skip-signature-unsafe: the release signature is not verified; the log entry records it")
		}
	}
	if v == nil {
		return d, nil, nil
	}
	if !needTags {
		return d, v, nil
	}
	repo, err := pf.openRepo()
	if err != nil {
		return d, nil, err
	}
	d.opts = append(d.opts, manifest.WithTagVerifier(tagging.NewRepoVerifier(repo, v)))
	return d, v, nil
}

// prepare decides a promotion or rollback into env (establish) and returns
// the options, the policy gate included, with the trusted-keys verifier
// decide found. A refusal to build the gate is logged like establish's.
func (pf promotionFlags) prepare(ctx context.Context, sf storeFlags, gf gateFlags, attempt manifest.Denial, ns string, needTags bool, stderr io.Writer) (manifest.Store, []manifest.Option, signature.Verifier, *manifest.Actor, error) {
	d, st, v, actor, err := pf.establish(ctx, sf, attempt, ns, needTags, stderr)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	gf.releaser = pf.releaser
	gate, err := d.gate(gf, attempt.Env)
	if err != nil {
		var usage usageError
		if !errors.As(err, &usage) {
			attempt.Actor, attempt.Config = actor, d.configDigest
			err = logRefusal(ctx, st, attempt, err)
		}
		return nil, nil, nil, nil, err
	}
	opts := d.opts
	if gate != nil {
		opts = append(opts, gate)
	}
	return st, opts, v, actor, nil
}

// establish decides an action in attempt.Env (decide), opens its store
// (the flags', else the configuration's) and establishes who acts (a
// verified CI token, or the typed --releaser). A refusal here (production
// without a configuration, a production guard such as --config without
// --config-override-unsafe, a token that does not verify) is logged as a
// denial of attempt before it is returned; other bad usage is not an
// attempt and is not logged.
func (pf promotionFlags) establish(ctx context.Context, sf storeFlags, attempt manifest.Denial, ns string, needTags bool, stderr io.Writer) (decision, manifest.Store, signature.Verifier, *manifest.Actor, error) {
	d, v, derr := pf.decide(attempt.Env, ns, needTags, stderr)
	var usage usageError
	var guard *controlError
	logged := derr == nil || errors.As(derr, &guard) || !errors.As(derr, &usage) && (d.cfg != nil || errors.Is(derr, errNoConfig))
	if !logged {
		return d, nil, nil, nil, derr
	}
	st, err := configStore(sf, d.cfg)
	if err != nil {
		return d, nil, nil, nil, errors.Join(derr, err)
	}
	if *pf.releaser != "" {
		attempt.Actor = &manifest.Actor{Name: *pf.releaser}
	}
	attempt.Config = d.configDigest
	*pf.configDigest = d.configDigest
	if derr != nil {
		return d, nil, nil, nil, logRefusal(ctx, st, attempt, derr)
	}
	actor, err := pf.identity().actor(ctx, d.cfg)
	if err != nil {
		if errors.As(err, &usage) {
			return d, nil, nil, nil, err
		}
		return d, nil, nil, nil, logRefusal(ctx, st, attempt, err)
	}
	if actor != nil {
		*pf.releaser = actor.Name // the gate's facts and the request name the verified identity
	}
	if d.cfg != nil {
		d.opts = append(d.opts, manifest.WithVerifiedIdentity(d.cfg.VerifiedIdentityEnvs()...))
	}
	return d, st, v, actor, nil
}

// identity returns the flags that say who acts.
func (pf promotionFlags) identity() identityFlags {
	return identityFlags{idToken: pf.idToken, releaser: pf.releaser}
}

// verifier returns the verifier of the flags' keys, else, for a
// production environment, of the configuration's trust.tags
// (trust.manifests, and only it, for manifests), else nil: outside production a tag is
// verified only when a key flag asks for it.
func (pf promotionFlags) verifier(cfg *config.Config, ns string, production bool) (signature.Verifier, error) {
	if *pf.keyring != "" || *pf.allowed != "" {
		return trustedKeys(*pf.keyring, *pf.allowed, "", ns)
	}
	if cfg == nil || !production {
		return nil, nil
	}
	ks := cfg.Trust.Tags
	if ns == manifest.Namespace {
		ks = cfg.Trust.Manifests // manifests trust trust.manifests only
	}
	return keySetVerifier(cfg, ks, ns)
}

// keySetVerifier returns the verifier of a configured key set's
// allowed_signers file or keyring, in namespace ns; nil when it names
// neither.
func keySetVerifier(cfg *config.Config, ks config.KeySet, ns string) (signature.Verifier, error) {
	switch {
	case ks.AllowedSigners != "" && ks.Keyring != "":
		return nil, usagef("%s: trust names both an allowed_signers file and a keyring; relctl verifies against one", cfg.File)
	case ks.AllowedSigners != "" || ks.Keyring != "":
		return trustedKeys(ks.Keyring, ks.AllowedSigners, "", ns)
	}
	return nil, nil
}

// configStore returns the store flags' store, or the configuration's
// (stores.store or stores.git_store) when no store flag is given.
func configStore(sf storeFlags, cfg *config.Config) (manifest.Store, error) {
	if !sf.given() {
		if st, ok, err := configuredStore(cfg); ok {
			return st, err
		}
	}
	return sf.open()
}

// openRepo opens --repo, or the repository around the working directory.
func (pf promotionFlags) openRepo() (*git.Repository, error) {
	dir := *pf.repo
	if dir == "" {
		dir = "."
	}
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, usageError{fmt.Errorf("the release tag is verified in a repository: open %s: %w (pass --repo DIR)", dir, err)}
	}
	return repo, nil
}

// configDigest returns the sha256 digest of the configuration file, which
// the log entry records.
func configDigest(file string) (string, error) {
	b, err := readInput("--config", file, maxInputFile)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// gate returns the policy gate of the promotion: --policy, else the
// configuration's policy; nil when neither names one. The environment's
// configured controls must all be enabled by that policy.
func (d decision) gate(g gateFlags, env string) (manifest.Option, error) {
	var p *policy.Policy
	if d.cfg != nil && d.cfg.Policy.Policy != nil {
		pp := *d.cfg.Policy.Policy
		pp.Controls = slices.Clone(pp.Controls)
		p = &pp
	}
	if *g.config != "" {
		b, err := readInput("--policy", *g.config, maxInputFile)
		if err != nil {
			return nil, err
		}
		pp, err := policy.ReadConfig(bytes.NewReader(b))
		if err != nil {
			return nil, usageError{fmt.Errorf("--policy %s: %w", *g.config, err)}
		}
		if p == nil {
			p = &pp
		} else {
			// --policy adds controls to the configured policy; it never
			// removes or weakens one (the configured control wins).
			for _, c := range pp.Controls {
				if !slices.ContainsFunc(p.Controls, func(x policy.Control) bool { return x.Meta().ID == c.Meta().ID }) {
					p.Controls = append(p.Controls, c)
				}
			}
		}
	}
	if e, ok := d.envConfig(env); ok && (len(e.Windows) > 0 || len(e.Freezes) > 0) {
		// The environment's own change windows: enforced as REL-WINDOW-001
		// for it, in place of the policy's.
		if p == nil {
			p = &policy.Policy{}
		}
		p.Controls = slices.DeleteFunc(slices.Clone(p.Controls), func(c policy.Control) bool { return c.Meta().ID == "REL-WINDOW-001" })
		p.Controls = append(p.Controls, policy.ChangeWindow{Windows: e.Windows, Freezes: e.Freezes, Environments: []string{gateEnv(e)}})
	}
	if d.cfg != nil {
		if e, ok := d.cfg.Env(env); ok && len(e.Controls) > 0 {
			var have []string
			if p != nil {
				for _, c := range p.Controls {
					have = append(have, c.Meta().ID)
				}
			}
			if slices.Contains(e.Controls, "REL-ENV-001") {
				// Environment separation, from the configuration's
				// permissions: production's deployers and approvers must
				// be restricted and shared with no other environment.
				sep, err := envSeparation(d.cfg, e)
				if err != nil {
					return nil, err
				}
				if p == nil {
					p = &policy.Policy{}
				}
				p.Controls = slices.DeleteFunc(p.Controls, func(c policy.Control) bool { return c.Meta().ID == "REL-ENV-001" })
				p.Controls = append(p.Controls, sep)
			}
			for _, id := range e.Controls {
				if id == "REL-ENV-001" {
					continue
				}
				if !slices.Contains(have, id) {
					return nil, fmt.Errorf("%w: %s is gated by %s (%s), which the policy does not enable; name the policy in the configuration or with --policy",
						errControlMissing, env, id, d.cfg.File)
				}
			}
		}
	}
	if p == nil {
		if *g.pr != "" {
			return nil, usagef("--pr needs a policy (--policy FILE or the configuration's policy)")
		}
		return nil, nil
	}
	if d.cfg != nil {
		// One directory of people and one exception lifetime: the
		// configuration's, unless the policy file sets its own.
		if p.People == nil {
			dir, err := d.cfg.Directory()
			if err != nil {
				return nil, usageError{fmt.Errorf("%s: people: %w", d.cfg.File, err)}
			}
			p.People = dir
		}
		if p.MaxExceptionLifetime == 0 || !d.cfg.Exceptions.Default {
			p.MaxExceptionLifetime = d.cfg.Exceptions.MaxLifetime
		}
	}
	f, err := g.facts()
	if err != nil {
		return nil, err
	}
	return manifest.WithGate(policy.Gate{Policy: *p, Facts: f, Production: d.production}), nil
}

// sameFile reports whether two paths hold the same bytes (the same file,
// or a copy of it).
func sameFile(a, b string) bool {
	x, err1 := readInput("--config", a, maxInputFile)
	y, err2 := readInput("--config", b, maxInputFile)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// envSeparation builds REL-ENV-001 from the configuration: each
// environment's deployers (permissions.deploy) and approvers. It refuses a
// production environment whose deployers are not restricted by identity,
// which nothing could then separate.
func envSeparation(cfg *config.Config, gated config.Environment) (policy.EnvironmentSeparation, error) {
	sep := policy.EnvironmentSeparation{Environments: map[string]policy.Environment{}}
	for _, e := range cfg.Environments {
		deployers, restricted := e.Allowed(config.ActionDeploy)
		if e.Production && !restricted {
			return sep, fmt.Errorf("%w: %s is gated by REL-ENV-001 (%s), but who may deploy to %s is not restricted: list permissions.deploy",
				errControlMissing, gated.Name, cfg.File, e.Name)
		}
		approvers, _ := e.Allowed(config.ActionApprove)
		sep.Environments[gateEnv(e)] = policy.Environment{Identities: deployers, Approvers: approvers}
	}
	return sep, nil
}

// envConfig returns the configuration of env, if any.
func (d decision) envConfig(env string) (config.Environment, bool) {
	if d.cfg == nil {
		return config.Environment{}, false
	}
	return d.cfg.Env(env)
}

// gateEnv is the name the policy's controls see for e: "production" for a
// production environment (policy.Gate maps it so), else its name.
func gateEnv(e config.Environment) string {
	if e.Production {
		return "production"
	}
	return e.Name
}

// errControlMissing refuses a promotion whose environment is gated by a
// control the policy does not enable (exit 1).
var errControlMissing = errors.New("a configured control is not enabled")

// withReleaser sets the releaser of the gate's facts.
func withReleaser(f *policy.Facts, releaser string) {
	if releaser == "" {
		return
	}
	if f.Deployment == nil {
		f.Deployment = &policy.Deployment{}
	}
	f.Deployment.Releaser = releaser
}

// hinted is a refusal with what to do about it.
type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() + "\n" + h.hint }
func (h hinted) Unwrap() error { return h.err }

// unsafeHint says, under a refusal for want of a verified signature, how
// to configure one and which -unsafe flag skips it.
func unsafeHint(err error) error {
	if errors.Is(err, &manifest.RefusalError{Reason: "release tag not verified"}) || errors.Is(err, &manifest.RefusalError{Reason: "manifest signature not verified"}) {
		return hinted{err, "relctl: name the keys that sign releases in the configuration (trust.tags: allowed_signers or keyring) or with --allowed-signers/--keyring; --skip-signature-unsafe promotes without the check and records that in the log entry"}
	}
	return err
}
