package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/tagging"
	"github.com/releasekit/releasekit/versionfile"
)

// What Gitea's API says of a release, a comment, an issue and a commit
// status: the fields the read-back prints.
type (
	apiRelease struct {
		TagName    string `json:"tag_name"`
		Body       string `json:"body"`
		Prerelease bool   `json:"prerelease"`
		Draft      bool   `json:"draft"`
		Author     struct {
			Login string `json:"login"`
		} `json:"author"`
		Assets []struct {
			Name string `json:"name"`
		} `json:"assets"`
	}
	apiComment struct {
		Body string `json:"body"`
		User struct {
			Login string `json:"login"`
		} `json:"user"`
	}
	apiIssue struct {
		Number int    `json:"number"`
		Title  string `json:"title"`
		Body   string `json:"body"`
		State  string `json:"state"`
		User   struct {
			Login string `json:"login"`
		} `json:"user"`
		Labels []struct {
			Name string `json:"name"`
		} `json:"labels"`
		PullRequest *struct{} `json:"pull_request"`
	}
	apiStatus struct {
		Context     string `json:"context"`
		Status      string `json:"status"`
		Description string `json:"description"`
	}
)

// entry is a change in release notes: "* **scope:** subject ...".
var entry = regexp.MustCompile(`(?m)^\* `)

// readBack reads what the flow left on the forge through its API, as an
// auditor (cleo, who took no part) would: the releases, the pull requests
// with their facts, the comments, the issue and the commit statuses; then
// fetches the tags into a new clone and verifies them.
func (f *flow) readBack() error {
	ctx, s := f.ctx, f.srv
	auditor := s.Reviewer2
	repoPath := "/repos/" + s.Owner + "/" + s.Repo
	f.say("read back through the forge's API, as %s:", auditor.Name)

	var rels []apiRelease
	if err := s.Do(ctx, auditor, "GET", repoPath+"/releases?limit=50", nil, &rels); err != nil {
		return err
	}
	sort.Slice(rels, func(i, j int) bool { return tagLess(rels[i].TagName, rels[j].TagName) })
	for _, r := range rels {
		kind := "final release"
		if r.Prerelease {
			kind = "pre-release"
		}
		var assets []string
		for _, a := range r.Assets {
			assets = append(assets, a.Name)
		}
		heading, _, _ := strings.Cut(r.Body, "\n")
		fmt.Fprintf(f.out, "    release %s: %s by %s, draft %v, assets %s; notes %q, %d change(s)\n",
			r.TagName, kind, r.Author.Login, r.Draft, strings.Join(assets, ", "), heading, len(entry.FindAllString(r.Body, -1)))
	}

	var pulls []struct {
		Number int `json:"number"`
	}
	if err := s.Do(ctx, auditor, "GET", repoPath+"/pulls?state=all&limit=50", nil, &pulls); err != nil {
		return err
	}
	sort.Slice(pulls, func(i, j int) bool { return pulls[i].Number < pulls[j].Number })
	for _, p := range pulls {
		pr, err := f.asDev.PullRequest(ctx, p.Number)
		if err != nil {
			return err
		}
		fmt.Fprintf(f.out, "    PR #%d %q by %s, %s %s as %s; approved at the head by %s; checks %s; labels %s\n",
			pr.Number, pr.Title, pr.Author, pr.State, pr.MergeMethod, pr.MergeSHA, strings.Join(pr.Facts().Approvers, ", "), checks(pr.Checks), list(pr.Labels))
		var comments []apiComment
		if err := s.Do(ctx, auditor, "GET", repoPath+"/issues/"+strconv.Itoa(p.Number)+"/comments", nil, &comments); err != nil {
			return err
		}
		for _, c := range comments {
			first, _, _ := strings.Cut(c.Body, "\n")
			fmt.Fprintf(f.out, "      comment by %s: %s\n", c.User.Login, first)
		}
	}

	var issues []apiIssue
	if err := s.Do(ctx, auditor, "GET", repoPath+"/issues?type=issues&state=all&limit=50", nil, &issues); err != nil {
		return err
	}
	for _, is := range issues {
		var labels []string
		for _, l := range is.Labels {
			labels = append(labels, l.Name)
		}
		fmt.Fprintf(f.out, "    issue #%d %q by %s, %s, labels %s:\n", is.Number, is.Title, is.User.Login, is.State, list(labels))
		for line := range strings.SplitSeq(strings.TrimRight(is.Body, "\n"), "\n") {
			fmt.Fprintln(f.out, strings.TrimRight("      | "+line, " "))
		}
	}

	// The tags, fetched into a new clone (anonymous: the repository is
	// public), their signatures verified against allowed_signers, and what
	// each release commit carries.
	audit, err := git.PlainInit(filepath.Join(f.work, "audit"), true)
	if err != nil {
		return err
	}
	if _, err := audit.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{s.URL + "/" + s.Owner + "/" + s.Repo + ".git"}}); err != nil {
		return err
	}
	if err := audit.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{"refs/tags/*:refs/tags/*"}, Tags: git.NoTags}); err != nil {
		return fmt.Errorf("fetch tags: %w", err)
	}
	tags, err := tagging.List(ctx, audit, scheme, f.verifier, f.tick())
	if err != nil {
		return err
	}
	for _, t := range tags {
		if t.Err != nil {
			return fmt.Errorf("tag %s: %w", t.Name, t.Err)
		}
		c, err := audit.CommitObject(t.Commit)
		if err != nil {
			return err
		}
		composer, err := fileAt(c, "composer.json")
		if err != nil {
			return err
		}
		version, err := versionfile.Version(versionfile.Composer, composer)
		if err != nil {
			return fmt.Errorf("%s: composer.json: %w", t.Name, err)
		}
		changelog, err := fileAt(c, "CHANGELOG.md")
		if err != nil {
			return err
		}
		has := regexp.MustCompile(`(?m)^## ` + regexp.QuoteMeta(t.Name) + ` `).Match(changelog)
		var statuses []apiStatus
		if err := s.Do(ctx, auditor, "GET", repoPath+"/commits/"+url.PathEscape(t.Name)+"/statuses?limit=50", nil, &statuses); err != nil {
			return err
		}
		var st []string
		for _, x := range statuses {
			st = append(st, x.Context+" "+x.Status)
		}
		sort.Strings(st)
		fmt.Fprintf(f.out, "    tag %s at %s: %s signature good (%s); composer.json %s; CHANGELOG.md has ## %s: %v; statuses %s\n",
			t.Name, t.Commit, t.Verified.Signer.Format, t.Verified.Signer.Identity, version, t.Name, has, list(st))
	}
	return nil
}

func tagLess(a, b string) bool {
	va, erra := scheme.Parse(a)
	vb, errb := scheme.Parse(b)
	if erra != nil || errb != nil {
		return a < b
	}
	return semver.Compare(va, vb) < 0
}

func checks(cs []forge.Check) string {
	var out []string
	for _, c := range cs {
		s := c.Name + " " + c.Outcome
		if c.Required {
			s += " (required)"
		}
		out = append(out, s)
	}
	return list(out)
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
