package changelog_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
)

// FuzzInsert checks that updating any CHANGELOG never panics, keeps the
// bytes before the insertion point, and is idempotent: a second update for
// the same version is ErrAlreadyDocumented, or with WithReplace gives the same
// bytes.
func FuzzInsert(f *testing.F) {
	f.Add(handWritten, "v1.1.0", "feat: a\n")
	f.Add(strings.ReplaceAll(handWritten, "\n", "\r\n"), "1.1.0", "fix(x)!: y\n\nBREAKING CHANGE: z\n")
	f.Add("\xef\xbb\xbf## Unreleased\n- x", "v2.0.0", "feat: <script>\n")
	f.Add("", "", "feat: a\n")
	f.Add("```\n## [1.0.0]\n", "1.0.0", "fix: b\n")
	for _, h := range hostile {
		f.Add("# C\n\n## 0.1.0\n", "v0.2.0", h.msg)
	}
	f.Fuzz(func(t *testing.T, doc, version, msg string) {
		m, _ := commits.Parse(msg)
		n := changelog.Build(changelog.Release{Version: version, Commits: []commits.Commit{{Hash: "0123456789abcdef0123456789abcdef01234567", Message: m}}})
		for _, format := range []changelog.Format{changelog.Markdown, changelog.KeepAChangelog} {
			out, err := changelog.Insert([]byte(doc), n, changelog.WithFormat(format))
			if err != nil {
				continue
			}
			again, err := changelog.Insert(out, n, changelog.WithFormat(format), changelog.WithReplace())
			if err != nil {
				t.Fatalf("replace after insert: %v", err)
			}
			if !bytes.Equal(out, again) {
				t.Fatalf("replace is not idempotent:\n%q\n%q", out, again)
			}
			if version != "" {
				if _, err := changelog.Insert(out, n, changelog.WithFormat(format)); err == nil && strings.TrimSpace(version) != "" && !strings.ContainsAny(version, "[]\\ \t\r\n(") {
					t.Fatalf("second insert of %q gave no error:\n%q", version, out)
				}
			}
		}
	})
}

// FuzzEscape checks that escaped text stays on one line and holds no
// markup that could open HTML or a link.
func FuzzEscape(f *testing.F) {
	for _, h := range hostile {
		f.Add(h.msg)
	}
	f.Add("plain")
	f.Fuzz(func(t *testing.T, s string) {
		e := changelog.Escape(s)
		if strings.ContainsAny(e, "\n\r<>\u2028\u2029\u0085") {
			t.Fatalf("Escape(%q) = %q holds a line break or angle bracket", s, e)
		}
		for i := 0; i < len(e); i++ {
			switch e[i] {
			case '[', ']', '`', '*', '_', '#', '|', '!', '{', '}', '~':
				if n := backslashesBefore(e, i); n%2 == 0 {
					t.Fatalf("Escape(%q) = %q: %q at %d is not escaped", s, e, e[i], i)
				}
			}
		}
	})
}

func backslashesBefore(s string, i int) int {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n
}

// FuzzRemoteLinks checks that any remote URL gives links or a typed error,
// never a panic, and that links never hold characters that end a Markdown
// link or start markup.
func FuzzRemoteLinks(f *testing.F) {
	for _, s := range []string{"https://github.com/acme/app.git", "git@gitlab.com:g/s/app.git", "ssh://git@bitbucket.org:22/a/b", "javascript:alert(1)", "git@github.com:a/(b).git", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, remote string) {
		l, err := changelog.RemoteLinks(remote, "")
		if err != nil {
			var re *changelog.RemoteError
			if !errors.As(err, &re) || re.Reason != "invalid remote URL" && re.Reason != "unknown forge" {
				t.Fatalf("RemoteLinks(%q): untyped error %v", remote, err)
			}
			return
		}
		for _, u := range []string{l.Commit, l.PR, l.Compare} {
			if !strings.HasPrefix(u, "https://") || strings.ContainsAny(u, " ()<>[]\"'`\\\n\r") {
				t.Fatalf("RemoteLinks(%q) gave unsafe link %q", remote, u)
			}
		}
	})
}
