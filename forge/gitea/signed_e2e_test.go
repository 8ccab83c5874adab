package gitea_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/forge/gitea"
	"github.com/releasekit/releasekit/internal/testkit/giteatest"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/internal/testkit/keytest"
	"github.com/releasekit/releasekit/releasepr"
	"github.com/releasekit/releasekit/signature"
)

// The server's signing identity: Gitea signs its merge commits (and its
// own commits from the API) with an OpenPGP key in the keyring of the git
// it runs.
const (
	serverSignerName  = "Gitea"
	serverSignerEmail = "gitea@shop.example"
)

// What Gitea 1.27.3 answers (routers/api/v1/repo/pull.go, services/pull/
// check.go, routers/private/hook_pre_receive.go, models/asymkey).
const (
	reasonHeadNotVerified = "the branch requires signed commits but not all head commits are verified"
	reasonWontSignCommits = "wont sign: commitssigned"
	reasonNotSigned       = "gpg.error.not_signed_commit"
	reasonNoKey           = "gpg.error.no_gpg_keys_found"
)

// TestReleasePRPassesRequireSignedCommits shows on a real Gitea that a
// release PR whose commit releasepr.Commit signed — with an OpenPGP key
// and with an SSH key, each registered and verified on the release bot's
// account — passes a branch protected by "require signed commits", and
// that the protection is real: an unsigned commit, a commit signed by a
// key no account holds, a key registered but not verified, and a direct
// push to the branch are all refused.
//
// What Gitea 1.27.3 checks (its source, as the module proxy serves it):
//
//   - Merging through the API runs CheckPullMergeable (services/pull/
//     check.go): after the branch protection (approvals), when the rule
//     has require_signed_commits, the merge styles "merge" and
//     "fast-forward-only" need every commit of the head verified
//     (AllHeadCommitsVerified, else "the branch requires signed commits
//     but not all head commits are verified"), and every style but
//     fast-forward-only needs Gitea able to sign the merge commit under
//     [repository.signing] MERGES (asymkey.SignMerge, else "wont sign:
//     <rule>"). The merge commit then goes through the pre-receive hook,
//     which verifies every new commit on the branch again
//     (routers/private/hook_verification.go).
//   - A commit is verified (asymkey.ParseCommitWithSignature) when an
//     OpenPGP signature's key id is a key on an account whose e-mail
//     addresses are activated or which proved it holds the key by signing
//     a token (POST /user/gpg_keys with armored_signature of GET
//     /user/gpg_key_token); or when an SSH signature (namespace "git")
//     verifies under a key of the account that has the committer's e-mail
//     and that key is marked verified; or when the instance's own key
//     made it. 1.27.3 verifies an SSH key only on the web settings page
//     (POST /user/settings/keys, type=verify_ssh, a signature in namespace
//     "gitea" of the same token): the API has no route for it, so the
//     test signs in as the bot, as its owner would in a browser.
//
// MERGES here is "pubkey, approved, basesigned, commitssigned": the
// merging user has a key, the PR is approved under the branch rule, the
// base is verified and so is every commit of the PR. It leaves out only
// twofa, which is about the merging user's login, not about the commits.
// The base is made verified the way an instance starts one: a commit
// Gitea itself makes and signs (CRUD_ACTIONS = always).
//
// One server runs every case, in order; each case builds on main as the
// one before left it.
func TestReleasePRPassesRequireSignedCommits(t *testing.T) {
	giteatest.Binary(t)
	keytest.Need(t, "gpg", "gpgconf", "ssh-keygen")
	// Gitea keeps a GNUPGHOME it inherits: the server must use its own
	// keyring, never the one of whoever runs the test.
	if _, ok := os.LookupEnv("GNUPGHOME"); ok {
		t.Setenv("GNUPGHOME", "")
		require.NoError(t, os.Unsetenv("GNUPGHOME"))
	}
	key := newServerKey(t)
	s := giteatest.Start(t, giteatest.WithIni(key.ini()), giteatest.WithSetup(key.install))
	sh := newSignedShop(t, s)

	// Gitea signs with its key: the commit it made on main is verified,
	// so the rule basesigned holds.
	v := sh.verification(t, sh.mainHead(t))
	require.True(t, v.Verified, "the server's own commit is verified: %+v\n%s", v, s.Logs())
	require.NotNil(t, v.Signer)
	assert.Equal(t, serverSignerEmail, v.Signer.Email)

	// The bot registers its OpenPGP key, proving it holds the private key
	// by signing Gitea's token with the same signer that signs its
	// release commits.
	botKey := keytest.PGPKey(t, "ed25519", nil)
	botPGP, err := signature.NewOpenPGPSignerFromEntity(botKey)
	require.NoError(t, err)
	var gk struct {
		KeyID    string `json:"key_id"`
		Verified bool   `json:"verified"`
	}
	sig, err := botPGP.Sign(t.Context(), strings.NewReader(sh.keyToken(t)))
	require.NoError(t, err)
	s.API(t, s.Bot, "POST", "/user/gpg_keys", map[string]any{"armored_public_key": string(keytest.ArmoredPublic(t, botKey)), "armored_signature": string(sig)}, &gk)
	require.True(t, gk.Verified, "the bot's OpenPGP key is verified")
	require.Equal(t, fmt.Sprintf("%016X", botKey.PrimaryKey.KeyId), gk.KeyID)

	t.Run("openpgp", func(t *testing.T) {
		pr, head := sh.releasePR(t, "1.3.0", botPGP)
		v := sh.verification(t, head)
		require.True(t, v.Verified, "%+v", v)
		require.NotNil(t, v.Signer)
		assert.Equal(t, s.Bot.Name, v.Signer.UserName)
		sh.mergeReleasePR(t, pr, head)
	})

	t.Run("ssh", func(t *testing.T) {
		path := keytest.SSHKey(t, "ed25519")
		pub, err := os.ReadFile(path + ".pub")
		require.NoError(t, err)
		var pk struct {
			Fingerprint string `json:"fingerprint"`
		}
		s.API(t, s.Bot, "POST", "/user/keys", map[string]any{"title": "release-bot signing", "key": string(pub)}, &pk)
		require.NotEmpty(t, pk.Fingerprint)

		pr, head := sh.releasePR(t, "1.3.1", keytest.SSHSigner(t, path, "git"))
		// Registered is not enough: until the bot proves it holds the
		// key, Gitea does not verify its signatures, and the release PR
		// is refused.
		v := sh.verification(t, head)
		assert.False(t, v.Verified)
		assert.Equal(t, reasonNoKey, v.Reason)
		sh.refuse(t, pr, head, "merge", reasonHeadNotVerified)
		sh.refuse(t, pr, head, "squash", reasonWontSignCommits)

		sh.verifySSHKey(t, s.Bot, pk.Fingerprint, string(pub), keytest.SSHSigner(t, path, "gitea"))
		v = sh.verification(t, head)
		require.True(t, v.Verified, "%+v", v)
		require.NotNil(t, v.Signer)
		assert.Equal(t, s.Bot.Name, v.Signer.UserName)
		assert.Equal(t, s.Bot.Email, v.Signer.Email)
		sh.mergeReleasePR(t, pr, head)
	})

	t.Run("unsigned", func(t *testing.T) {
		// The library never makes one...
		_, err := releasepr.Commit(t.Context(), sh.bot.GoGit(t), releasepr.CommitRequest{
			Parent: plumbing.NewHash(sh.fetchMain(t)), Message: "chore(release): v1.4.0", Author: sh.author()})
		require.ErrorIs(t, err, releasepr.ErrUnsigned)
		// ...so git makes it, and Gitea refuses to merge it.
		b := sh.bot
		branch := releasepr.BranchPrefix + "unsigned"
		b.Git("checkout", "-f", "-B", branch, "origin/main")
		head := b.CommitFiles("chore(release): v1.4.0", map[string]string{"composer.json": composer("1.4.0")})
		pr := sh.pushAndOpen(t, branch, head, "chore(release): v1.4.0")
		v := sh.verification(t, head)
		assert.False(t, v.Verified)
		assert.Equal(t, reasonNotSigned, v.Reason)
		sh.refuse(t, pr, head, "merge", reasonHeadNotVerified)
		sh.refuse(t, pr, head, "squash", reasonWontSignCommits)
	})

	t.Run("key on no account", func(t *testing.T) {
		e := keytest.PGPKey(t, "ed25519", nil)
		pgp, err := signature.NewOpenPGPSignerFromEntity(e)
		require.NoError(t, err)
		for _, c := range []struct {
			kind   string
			signer signature.Signer
		}{
			{"openpgp", pgp},
			{"ssh", keytest.SSHSigner(t, keytest.SSHKey(t, "ed25519"), "git")},
		} {
			kind, signer := c.kind, c.signer
			t.Run(kind, func(t *testing.T) {
				head := sh.commit(t, releasepr.BranchPrefix+"stranger-"+kind, "1.5.0", signer)
				pr := sh.pushAndOpen(t, releasepr.BranchPrefix+"stranger-"+kind, head, "chore(release): v1.5.0")
				v := sh.verification(t, head)
				assert.False(t, v.Verified)
				assert.Equal(t, reasonNoKey, v.Reason)
				sh.refuse(t, pr, head, "merge", reasonHeadNotVerified)
				sh.refuse(t, pr, head, "squash", reasonWontSignCommits)
			})
		}
	})

	t.Run("direct push", func(t *testing.T) {
		before := sh.mainHead(t)
		// A release commit signed by the bot's registered key: verified
		// on its branch...
		branch := releasepr.BranchPrefix + "direct"
		head := sh.commit(t, branch, "1.6.0", botPGP)
		sh.bot.Git("push", "-f", "origin", head+":refs/heads/"+branch)
		s.WaitBranch(t, branch, head)
		v := sh.verification(t, head)
		require.True(t, v.Verified, "%+v", v)
		// ...and pushed to main: the pre-receive hook accepts its
		// signature and refuses the push (pull requests only).
		out, err := sh.bot.GitErr("push", "origin", head+":refs/heads/main")
		require.Error(t, err, out)
		var ce *gittest.CommandError
		require.True(t, errors.As(err, &ce))
		assert.Contains(t, ce.Stderr, "Not allowed to push to protected branch main")
		assert.NotContains(t, ce.Stderr, "Internal Server Error")
		assert.NotContains(t, s.Logs(), "Unverified commit: "+head)

		// An unsigned one is refused for its signature, checked before
		// who may push. Gitea 1.27.3 means to answer "branch main is
		// protected from unverified commit <sha>" (routers/private/
		// hook_pre_receive.go), but its check of the error's type misses
		// the error git's pipeline wraps, so the hook answers 500 and logs
		// "Unverified commit: <sha>": the push is refused all the same.
		sh.bot.Git("checkout", "-f", "-B", "direct-unsigned", "origin/main")
		unsigned := sh.bot.CommitFiles("chore(release): v1.6.0", map[string]string{"composer.json": composer("1.6.0")})
		_, err = sh.bot.GitErr("push", "origin", unsigned+":refs/heads/main")
		require.True(t, errors.As(err, &ce), "%v", err)
		assert.Contains(t, ce.Stderr, "(pre-receive hook declined)")
		assert.NotContains(t, ce.Stderr, "Not allowed to push")
		assert.True(t, strings.Contains(ce.Stderr, "branch main is protected from unverified commit "+unsigned) ||
			strings.Contains(s.Logs(), "Unverified commit: "+unsigned), "refused for its signature:\n%s\n%s", ce.Stderr, s.Logs())

		assert.Equal(t, before, sh.mainHead(t), "main did not move")
	})
}

// serverKey is the instance's OpenPGP signing key, made by the real gpg.
type serverKey struct {
	fingerprint string
	secret      []byte // armored, without a passphrase
}

// newServerKey generates the key in a keyring of its own (the server's
// keyring does not exist before Start, and its fingerprint goes into
// app.ini).
func newServerKey(t *testing.T) serverKey {
	t.Helper()
	home := gnupgHome(t, t.TempDir())
	gpg(t, home, nil, "--quick-gen-key", serverSignerName+" <"+serverSignerEmail+">", "ed25519", "sign", "never")
	var fpr string
	for _, line := range strings.Split(gpg(t, home, nil, "--with-colons", "--list-secret-keys"), "\n") {
		if f := strings.Split(line, ":"); f[0] == "fpr" && len(f) > 9 {
			fpr = f[9]
			break
		}
	}
	require.Regexp(t, `^[0-9A-F]{40}$`, fpr)
	return serverKey{fingerprint: fpr, secret: []byte(gpg(t, home, nil, "--armor", "--export-secret-keys", fpr))}
}

// ini is the [repository.signing] section: sign with the key, always
// for the commits Gitea makes itself, and for merges only under the
// strictest rules a correctly signed release PR passes.
func (k serverKey) ini() string {
	return `[repository.signing]
SIGNING_KEY = ` + k.fingerprint + `
SIGNING_NAME = ` + serverSignerName + `
SIGNING_EMAIL = ` + serverSignerEmail + `
SIGNING_FORMAT = openpgp
INITIAL_COMMIT = always
CRUD_ACTIONS = always
MERGES = pubkey, approved, basesigned, commitssigned
WIKI = never
DEFAULT_TRUST_MODEL = collaborator
`
}

// install imports the key into the keyring of the git Gitea runs: Gitea
// sets GNUPGHOME to $HOME/.gnupg of its git, dir/data/home (modules/git
// git.go).
func (k serverKey) install(tb giteatest.TB, dir string) {
	t := tb.(testing.TB) // giteatest.Start passes the test on
	home := gnupgHome(t, filepath.Join(dir, "data", "home", ".gnupg"))
	gpg(t, home, k.secret, "--import")
}

// gnupgHome creates a GnuPG home and stops its agent (started by gpg, or
// by the git Gitea runs) when t ends.
func gnupgHome(t testing.TB, home string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(home, 0o700))
	require.NoError(t, os.Chmod(home, 0o700))
	t.Cleanup(func() {
		cmd := exec.Command("gpgconf", "--homedir", home, "--kill", "gpg-agent")
		cmd.Env = gpgEnv(home)
		_ = cmd.Run() // no agent is fine
	})
	return home
}

func gpgEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GNUPGHOME=") {
			env = append(env, kv)
		}
	}
	return append(env, "GNUPGHOME="+home)
}

// gpg runs gpg on the keyring at home, without a passphrase or a
// terminal, and returns its standard output.
func gpg(t testing.TB, home string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("gpg", append([]string{"--homedir", home, "--batch", "--no-tty", "--pinentry-mode", "loopback", "--passphrase", ""}, args...)...)
	cmd.Env = gpgEnv(home)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	require.NoError(t, cmd.Run(), "gpg %s: %s", strings.Join(args, " "), errb.String())
	return out.String()
}

// signedShop is seed 000's repository on a server that signs, with main
// protected by "require signed commits".
type signedShop struct {
	s     *giteatest.Server
	bot   *gittest.Repo // the release bot's clone
	asBot *gitea.Forge
}

func newSignedShop(t *testing.T, s *giteatest.Server) *signedShop {
	t.Helper()
	dev := gittest.New(t)
	dev.CommitFiles("feat: the shop ABC-0", map[string]string{
		"composer.json": composer("1.2.0"),
		"CHANGELOG.md":  "# Changelog\n\n## v1.2.0\n\n- the shop\n",
	})
	dev.AnnotatedTag("v1.2.0", "HEAD", "Release v1.2.0")
	dev.Git("push", s.CloneURL(s.Developer), "main", "v1.2.0")
	s.WaitBranch(t, "main", dev.RevParse("main"))
	// A commit Gitea makes through its API, and signs.
	var made struct {
		Commit struct {
			SHA string `json:"sha"`
		} `json:"commit"`
	}
	s.API(t, s.Admin, "POST", "/repos/shop/magento/contents/SECURITY.md", map[string]any{
		"content": base64.StdEncoding.EncodeToString([]byte("Report vulnerabilities to security@shop.example.\n")),
		"message": "docs: security contact", "branch": "main",
	}, &made)
	require.NotEmpty(t, made.Commit.SHA)
	s.WaitBranch(t, "main", made.Commit.SHA)
	// main takes pull requests only, one approval, signed commits.
	s.API(t, s.Admin, "POST", "/repos/shop/magento/branch_protections", map[string]any{
		"rule_name": "main", "enable_push": false, "required_approvals": 1, "require_signed_commits": true,
	}, nil)
	// The reviewer who merges has a public key (MERGES rule pubkey).
	benKey, err := os.ReadFile(keytest.SSHKey(t, "ed25519") + ".pub")
	require.NoError(t, err)
	s.API(t, s.Reviewer, "POST", "/user/keys", map[string]any{"title": "ben", "key": string(benKey)}, nil)

	bot := gittest.New(t)
	bot.Git("remote", "add", "origin", s.CloneURL(s.Bot))
	f, err := gitea.New(s.URL, s.Owner, s.Repo, s.Bot.Token)
	require.NoError(t, err)
	return &signedShop{s: s, bot: bot, asBot: f}
}

// composer is the application's composer.json at version.
func composer(version string) string {
	return "{\n    \"name\": \"shop/magento\",\n    \"type\": \"project\",\n    \"version\": \"" + version + "\"\n}\n"
}

// author is the release bot as the author and committer of its commits,
// with the e-mail address of its account.
func (sh *signedShop) author() object.Signature {
	return object.Signature{Name: sh.s.Bot.Name, Email: sh.s.Bot.Email, When: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)}
}

// fetchMain fetches main into the bot's clone and returns its head.
func (sh *signedShop) fetchMain(t *testing.T) string {
	t.Helper()
	sh.bot.Git("fetch", "origin", "+refs/heads/main:refs/remotes/origin/main")
	return sh.bot.RevParse("origin/main")
}

// commit makes the release commit of version on main with
// releasepr.Commit, signed by signer, on branch of the bot's clone.
func (sh *signedShop) commit(t *testing.T, branch, version string, signer signature.Signer) string {
	t.Helper()
	parent := sh.fetchMain(t)
	changelog := sh.bot.Git("show", "origin/main:CHANGELOG.md") + "\n"
	changelog = strings.Replace(changelog, "# Changelog\n\n", "# Changelog\n\n## v"+version+"\n\n- release v"+version+"\n\n", 1)
	h, err := releasepr.Commit(t.Context(), sh.bot.GoGit(t), releasepr.CommitRequest{
		Parent: plumbing.NewHash(parent),
		Edits: []releasepr.Edit{
			{Path: "composer.json", After: []byte(composer(version))},
			{Path: "CHANGELOG.md", After: []byte(changelog)},
		},
		Message: "chore(release): v" + version + "\n\nReleased by releasekit.\n",
		Author:  sh.author(),
		Signer:  signer,
		Branch:  branch,
	})
	require.NoError(t, err)
	return h.String()
}

// releasePR is the bot's run: the signed release commit on the release
// branch, pushed, and the release PR opened and approved by the reviewer.
func (sh *signedShop) releasePR(t *testing.T, version string, signer signature.Signer) (forge.PullRequest, string) {
	t.Helper()
	branch := releasepr.BranchPrefix + "main"
	head := sh.commit(t, branch, version, signer)
	return sh.pushAndOpen(t, branch, head, "chore(release): v"+version), head
}

// pushAndOpen force-pushes branch at head, opens its pull request as the
// bot, and has the reviewer approve it at head.
func (sh *signedShop) pushAndOpen(t *testing.T, branch, head, title string) forge.PullRequest {
	t.Helper()
	s := sh.s
	sh.bot.Git("push", "-f", "origin", head+":refs/heads/"+branch)
	s.WaitBranch(t, branch, head)
	pr, err := sh.asBot.OpenPullRequest(t.Context(), forge.NewPullRequest{Head: branch, Base: "main", Title: title, Body: "Release PR."})
	require.NoError(t, err)
	s.WaitPull(t, pr.Number, head)
	s.API(t, s.Reviewer, "POST", fmt.Sprintf("/repos/shop/magento/pulls/%d/reviews", pr.Number),
		map[string]any{"event": "APPROVED", "body": "LGTM", "commit_id": head}, nil)
	s.WaitMergeable(t, pr.Number)
	return pr
}

// notChecked is Gitea's answer to a merge asked while it checks the pull
// request again (after a push to its base or head, in a queue): not a
// refusal, a request to ask later.
const notChecked = "Please try again later"

// merge asks Gitea, as the reviewer, to merge pull request pr at head
// with style, and returns the status and Gitea's message. A merge asked
// while Gitea checks the pull request again is asked again once it has.
func (sh *signedShop) merge(t *testing.T, pr forge.PullRequest, head, style string) (int, string) {
	t.Helper()
	var status int
	var msg string
	sh.s.Eventually(t, fmt.Sprintf("pull request #%d checked for a %s merge", pr.Number, style), func() bool {
		sh.s.WaitMergeable(t, pr.Number)
		var body []byte
		status, body = call(t, sh.s, sh.s.Reviewer, "POST", fmt.Sprintf("/repos/shop/magento/pulls/%d/merge", pr.Number), map[string]any{
			"Do": style, "MergeTitleField": fmt.Sprintf("%s (#%d)", pr.Title, pr.Number), "head_commit_id": head,
		})
		var m struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &m) // a success has no body
		msg = m.Message
		return status != http.StatusMethodNotAllowed || msg != notChecked
	})
	return status, msg
}

// refuse checks that merging pull request pr with style is refused for
// reason, and that it stays open.
func (sh *signedShop) refuse(t *testing.T, pr forge.PullRequest, head, style, reason string) {
	t.Helper()
	before := sh.mainHead(t)
	status, msg := sh.merge(t, pr, head, style)
	assert.Equal(t, http.StatusMethodNotAllowed, status, "%s merge of #%d: %s", style, pr.Number, msg)
	assert.Equal(t, reason, msg, "%s merge of #%d", style, pr.Number)
	got, err := sh.asBot.PullRequest(t.Context(), pr.Number)
	require.NoError(t, err)
	assert.Equal(t, forge.StateOpen, got.State)
	assert.Equal(t, before, sh.mainHead(t), "main did not move")
}

// mergeReleasePR merges the release PR (style merge, so that main
// carries the release commit itself) and checks what main became: Gitea's
// signed merge commit of the old main and the release commit, both
// verified.
func (sh *signedShop) mergeReleasePR(t *testing.T, pr forge.PullRequest, head string) {
	t.Helper()
	before := sh.mainHead(t)
	status, msg := sh.merge(t, pr, head, "merge")
	require.Equal(t, http.StatusOK, status, "merge of #%d: %s\n%s", pr.Number, msg, sh.s.Logs())
	got, err := sh.asBot.PullRequest(t.Context(), pr.Number)
	require.NoError(t, err)
	assert.Equal(t, forge.StateMerged, got.State)
	assert.Equal(t, "merge", got.MergeMethod)
	main := sh.mainHead(t)
	assert.Equal(t, got.MergeSHA, main)
	var c struct {
		Parents []struct {
			SHA string `json:"sha"`
		} `json:"parents"`
	}
	sh.s.API(t, sh.s.Bot, "GET", "/repos/shop/magento/git/commits/"+main, nil, &c)
	require.Len(t, c.Parents, 2)
	assert.Equal(t, before, c.Parents[0].SHA)
	assert.Equal(t, head, c.Parents[1].SHA, "main carries the release commit")
	v := sh.verification(t, main)
	assert.True(t, v.Verified, "Gitea signed its merge: %+v", v)
	if assert.NotNil(t, v.Signer) {
		assert.Equal(t, serverSignerEmail, v.Signer.Email)
	}
	v = sh.verification(t, head)
	assert.True(t, v.Verified, "the release commit on main: %+v", v)
	// The clone sees the same: the release commit is on main.
	sh.fetchMain(t)
	_, err = sh.bot.GitErr("merge-base", "--is-ancestor", head, "origin/main")
	assert.NoError(t, err)
}

// mainHead is main's head as the API shows it.
func (sh *signedShop) mainHead(t *testing.T) string {
	t.Helper()
	var b struct {
		Commit struct {
			ID string `json:"id"`
		} `json:"commit"`
	}
	sh.s.API(t, sh.s.Bot, "GET", "/repos/shop/magento/branches/main", nil, &b)
	return b.Commit.ID
}

// verification is what Gitea says of commit's signature.
type verification struct {
	Verified bool   `json:"verified"`
	Reason   string `json:"reason"`
	Signer   *struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		UserName string `json:"username"`
	} `json:"signer"`
}

func (sh *signedShop) verification(t *testing.T, commit string) verification {
	t.Helper()
	var c struct {
		Commit struct {
			Verification *verification `json:"verification"`
		} `json:"commit"`
	}
	sh.s.API(t, sh.s.Bot, "GET", "/repos/shop/magento/git/commits/"+commit, nil, &c)
	require.NotNil(t, c.Commit.Verification, "commit %s has a verification", commit)
	return *c.Commit.Verification
}

// keyToken is the token the bot signs to prove it holds a key.
func (sh *signedShop) keyToken(t *testing.T) string {
	t.Helper()
	status, body := call(t, sh.s, sh.s.Bot, "GET", "/user/gpg_key_token", nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
	tok := strings.TrimSpace(string(body))
	require.Regexp(t, `^[0-9a-f]{64}$`, tok)
	return tok
}

// verifySSHKey marks u's SSH key with fingerprint verified, as its owner
// does on Gitea's settings page: signed in with the password, the token
// signed in namespace "gitea".
func (sh *signedShop) verifySSHKey(t *testing.T, u giteatest.User, fingerprint, pub string, signer signature.Signer) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar, Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), "POST", sh.s.URL+path, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		require.NoError(t, err)
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	resp := post("/user/login", url.Values{"user_name": {u.Name}, "password": {u.Password}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "sign in as %s", u.Name)
	sig, err := signer.Sign(t.Context(), strings.NewReader(sh.keyToken(t)))
	require.NoError(t, err)
	resp = post("/user/settings/keys", url.Values{"type": {"verify_ssh"}, "title": {"none"}, "content": {pub}, "fingerprint": {fingerprint}, "signature": {string(sig)}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "verify the SSH key")
	require.Equal(t, "/user/settings/keys", resp.Header.Get("Location"))
}

// call calls the API as u and returns the status and the body, without
// failing on a refusal (giteatest's Status drops the body, which holds
// Gitea's reason).
func call(t *testing.T, s *giteatest.Server, u giteatest.User, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, s.URL+"/api/v1"+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "token "+u.Token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, data
}
