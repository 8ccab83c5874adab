package changelog

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// A RemoteError reports a remote URL that gives no links. Reason is
// "invalid remote URL" when the URL cannot be read, and "unknown forge"
// when its host is not one whose URL layout is known and no [Forge] was
// given, or when the [Forge] given is not known. Remote is the URL with its
// credentials redacted, the host or the forge.
type RemoteError struct {
	Remote string
	Reason string

	text string // the message, when it is not "changelog: Reason: Remote"
}

// Error returns "changelog: ", the reason and what was refused.
func (e *RemoteError) Error() string {
	if e.text != "" {
		return e.text
	}
	return "changelog: " + e.Reason + ": " + e.Remote
}

// Links are the URL templates of the links in the notes. Each holds
// placeholders that are replaced, URL-escaped, by the values of an entry:
// {hash} (the full commit hash) in Commit, {pr} in PR, {ticket} in Ticket,
// {from} and {to} (tags) in Compare. An empty template gives no link. The
// templates are configuration, not commit data: they are trusted.
type Links struct {
	Commit  string // "https://github.com/o/r/commit/{hash}"
	PR      string // "https://github.com/o/r/pull/{pr}"
	Ticket  string // "https://jira.example.com/browse/{ticket}"
	Compare string // "https://github.com/o/r/compare/{from}...{to}"
}

// Forge names a code hosting service whose URL layout is known.
type Forge string

// The known forges.
const (
	GitHub    Forge = "github"
	GitLab    Forge = "gitlab"
	Gitea     Forge = "gitea" // also Forgejo and Codeberg
	Bitbucket Forge = "bitbucket"
)

// JiraTicket returns the ticket template of a Jira instance at base, such
// as "https://example.atlassian.net".
func JiraTicket(base string) string {
	return strings.TrimRight(base, "/") + "/browse/{ticket}"
}

// RemoteLinks returns the commit, pull request and compare templates of
// the repository at a git remote URL, in any of the forms git accepts:
// "https://host/owner/repo(.git)", "ssh://git@host[:port]/owner/repo.git"
// and the scp-like "git@host:owner/repo.git". When forge is empty it is
// inferred from the host (github.com, gitlab.*, bitbucket.org, gitea.*,
// codeberg.org); an unknown host then gives a [*RemoteError], as does a
// URL that cannot be read. Ticket is left empty: set it with
// [JiraTicket] or a template of your own.
func RemoteLinks(remote string, forge Forge) (Links, error) {
	host, path, err := parseRemote(remote)
	if err != nil {
		return Links{}, err
	}
	if forge == "" {
		switch h := strings.ToLower(host); {
		case h == "github.com" || strings.HasPrefix(h, "github."):
			forge = GitHub
		case h == "gitlab.com" || strings.HasPrefix(h, "gitlab."):
			forge = GitLab
		case h == "bitbucket.org" || strings.HasPrefix(h, "bitbucket."):
			forge = Bitbucket
		case h == "codeberg.org" || strings.HasPrefix(h, "gitea.") || strings.HasPrefix(h, "forgejo."):
			forge = Gitea
		default:
			return Links{}, &RemoteError{Remote: host, Reason: "unknown forge"}
		}
	}
	base := "https://" + host + "/" + path
	switch forge {
	case GitHub:
		return Links{Commit: base + "/commit/{hash}", PR: base + "/pull/{pr}", Compare: base + "/compare/{from}...{to}"}, nil
	case GitLab:
		return Links{Commit: base + "/-/commit/{hash}", PR: base + "/-/merge_requests/{pr}", Compare: base + "/-/compare/{from}...{to}"}, nil
	case Gitea:
		return Links{Commit: base + "/commit/{hash}", PR: base + "/pulls/{pr}", Compare: base + "/compare/{from}...{to}"}, nil
	case Bitbucket:
		return Links{Commit: base + "/commits/{hash}", PR: base + "/pull-requests/{pr}", Compare: base + "/branches/compare/{to}%0D{from}"}, nil
	}
	return Links{}, &RemoteError{Remote: string(forge), Reason: "unknown forge", text: fmt.Sprintf("changelog: unknown forge: %q", forge)}
}

// parseRemote returns the host and the owner/repo path of a remote URL.
func parseRemote(remote string) (host, path string, err error) {
	bad := func() (string, string, error) {
		r := redactRemote(remote)
		return "", "", &RemoteError{Remote: r, Reason: "invalid remote URL", text: fmt.Sprintf("changelog: invalid remote URL: %q", r)}
	}
	s := strings.TrimSpace(remote)
	if s == "" || strings.ContainsAny(s, " \t\r\n\x00") {
		return bad()
	}
	if i := strings.Index(s, "://"); i > 0 {
		u, perr := url.Parse(s)
		if perr != nil || u.Hostname() == "" {
			return bad()
		}
		switch u.Scheme {
		case "https", "http", "ssh", "git", "git+ssh", "ssh+git":
		default:
			return bad()
		}
		host, path = u.Hostname(), u.Path
	} else {
		// scp-like: [user@]host:path
		at := strings.LastIndex(s[:max(strings.Index(s, ":"), 0)], "@")
		rest := s[at+1:]
		h, p, ok := strings.Cut(rest, ":")
		if !ok || h == "" || strings.Contains(h, "/") {
			return bad()
		}
		host, path = h, p
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	path = strings.TrimSuffix(path, "/")
	if path == "" || strings.Contains(path, "..") || !validHost(host) {
		return bad()
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || url.PathEscape(seg) != seg {
			return bad()
		}
	}
	return strings.ToLower(host), path, nil
}

// redactRemote hides the user information (a user name, password or
// token) of a remote URL, for error messages.
func redactRemote(s string) string {
	start := 0
	if i := strings.Index(s, "://"); i >= 0 {
		start = i + 3
	}
	end := len(s)
	if i := strings.IndexByte(s[start:], '/'); i >= 0 {
		end = start + i
	}
	if at := strings.LastIndexByte(s[start:end], '@'); at >= 0 {
		return s[:start] + "REDACTED" + s[start+at:]
	}
	return s
}

func validHost(h string) bool {
	for _, r := range h {
		if !(r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return h != ""
}

func (l Links) commit(hash string) string {
	if l.Commit == "" || !isHex(hash) {
		return ""
	}
	return strings.ReplaceAll(l.Commit, "{hash}", hash)
}

func (l Links) pr(n int) string {
	if l.PR == "" || n <= 0 {
		return ""
	}
	return strings.ReplaceAll(l.PR, "{pr}", strconv.Itoa(n))
}

func (l Links) ticket(id string) string {
	if l.Ticket == "" {
		return ""
	}
	return strings.ReplaceAll(l.Ticket, "{ticket}", url.PathEscape(id))
}

func (l Links) compare(from, to string) string {
	if l.Compare == "" {
		return ""
	}
	return strings.NewReplacer("{from}", url.PathEscape(from), "{to}", url.PathEscape(to)).Replace(l.Compare)
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}
