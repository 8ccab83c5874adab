package commits

import (
	"regexp"
	"strings"
)

// cherryPick reads "(cherry picked from commit <hex>)".
func cherryPick(line string) (string, bool) {
	const p = "(cherry picked from commit "
	if !strings.HasPrefix(line, p) {
		return "", false
	}
	rest := strings.TrimRight(line[len(p):], " \t")
	if !strings.HasSuffix(rest, ")") {
		return "", false
	}
	h := rest[:len(rest)-1]
	if len(h) < 4 || hexPrefix(h) != h {
		return "", false
	}
	return h, true
}

// hexPrefix returns the leading lower-case hex digits of s when there
// are at least 4 of them.
func hexPrefix(s string) string {
	i := 0
	for i < len(s) && (isDigit(s[i]) || (s[i] >= 'a' && s[i] <= 'f')) {
		i++
	}
	if i < 4 {
		return ""
	}
	return s[:i]
}

// mergeRequestNumber reads n from "See merge request group/project!n".
func mergeRequestNumber(line string) int {
	line = strings.TrimRight(line, " \t.")
	i := strings.LastIndexByte(line, '!')
	if i < 0 {
		return 0
	}
	return atoi(line[i+1:])
}

// atoi parses 1 to 9 decimal digits; anything else gives 0.
func atoi(s string) int {
	if len(s) == 0 || len(s) > 9 {
		return 0
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// subjectPR reads a "(#123)" subject suffix.
func subjectPR(s string) int {
	s = strings.TrimRight(s, " \t")
	if !strings.HasSuffix(s, ")") {
		return 0
	}
	i := strings.LastIndex(s, "(#")
	if i < 0 {
		// Bitbucket's "(pull request #n)".
		const bb = "(pull request #"
		if i = strings.LastIndex(s, bb); i < 0 {
			return 0
		}
		return atoi(s[i+len(bb) : len(s)-1])
	}
	return atoi(s[i+2 : len(s)-1])
}

// findTickets returns the unique tickets in s. The default pattern
// \b[A-Z][A-Z0-9]+-[0-9]+\b is matched around each "-" without a regexp:
// the match must start the run of [A-Z0-9] before the dash, after a byte
// that is not a word byte, and the digits after the dash must end the
// word. FuzzParse checks this against the regexp.
func findTickets(s string, re *regexp.Regexp) []string {
	var out []string
	var set stringSet
	if re != nil {
		for _, loc := range re.FindAllStringIndex(s, -1) {
			out = set.add(out, s[loc[0]:loc[1]])
		}
		return out
	}
	n := len(s)
	for d := 0; d < n; d++ {
		j := strings.IndexByte(s[d:], '-')
		if j < 0 {
			break
		}
		d += j
		i := d - 1
		for i >= 0 && ((s[i] >= 'A' && s[i] <= 'Z') || isDigit(s[i])) {
			i--
		}
		if d-i < 3 || (i >= 0 && isWordByte(s[i])) || s[i+1] < 'A' || s[i+1] > 'Z' {
			continue
		}
		k := d + 1
		for k < n && isDigit(s[k]) {
			k++
		}
		if k == d+1 || (k < n && isWordByte(s[k])) {
			continue
		}
		out = set.add(out, s[i+1:k])
		d = k - 1
	}
	return out
}

func isWordByte(c byte) bool { return isAlnum(c) || c == '_' }

func isFixup(s string) bool {
	return strings.HasPrefix(s, "fixup! ") || strings.HasPrefix(s, "squash! ") || strings.HasPrefix(s, "amend! ")
}

// parseMerge recognises the merge subjects of git, GitHub, GitLab and
// Bitbucket Cloud.
func parseMerge(s string) *Merge {
	// Bitbucket Cloud, for its merge-commit and squash strategies alike:
	// "Merged in <branch> (pull request #<n>)".
	if rest, ok := strings.CutPrefix(s, "Merged in "); ok {
		i := strings.LastIndex(rest, " (pull request #")
		if i <= 0 || !strings.HasSuffix(rest, ")") {
			return nil
		}
		pr := atoi(rest[i+len(" (pull request #") : len(rest)-1])
		if pr == 0 || strings.ContainsAny(rest[:i], " \t") {
			return nil
		}
		return &Merge{PR: pr, Source: rest[:i], Kind: MergePullRequest}
	}
	if rest, ok := strings.CutPrefix(s, "Merge pull request #"); ok {
		i := 0
		for i < len(rest) && isDigit(rest[i]) {
			i++
		}
		pr := atoi(rest[:i])
		src, ok := strings.CutPrefix(rest[i:], " from ")
		if pr == 0 || !ok {
			return nil
		}
		if j := strings.IndexAny(src, " \t"); j >= 0 {
			src = src[:j]
		}
		return &Merge{PR: pr, Source: src, Kind: MergePullRequest}
	}
	for _, f := range [...]struct{ prefix, kind string }{
		{"Merge branch '", MergeBranch},
		{"Merge branches '", MergeBranch},
		{"Merge remote-tracking branch '", MergeBranch},
		{"Merge tag '", MergeTag},
		{"Merge commit '", MergeCommit},
	} {
		if rest, ok := strings.CutPrefix(s, f.prefix); ok {
			if j := strings.IndexByte(rest, '\''); j >= 0 {
				rest = rest[:j]
			}
			return &Merge{Source: rest, Kind: f.kind}
		}
	}
	return nil
}
