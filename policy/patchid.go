package policy

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"
)

// PatchID computes the patch ID of a unified diff as `git patch-id
// --stable` does: the header lines (diff --git, ---, +++, mode lines) and
// the hunk lines with all white space removed, hunk headers and index lines
// ignored, hashed with SHA-1 file by file and summed, so that the ID does
// not depend on line numbers or on the order of the files. diff is the
// output of `git show --format=` or `git diff-tree -p` for one commit (a
// leading "commit <sha>" line and message are skipped). It returns "" for
// a diff without changes. Binary diffs are hashed by their index line's
// object names, as git does.
func PatchID(diff []byte) string {
	var (
		result          [sha1.Size]byte
		h               = sha1.New()
		before, after   = -1, -1
		patchlen        int
		binary          bool
		preOID, postOID string
	)
	flush := func() {
		var sum [sha1.Size]byte
		copy(sum[:], h.Sum(nil))
		h.Reset()
		carry := 0
		for i := range result {
			carry += int(result[i]) + int(sum[i])
			result[i] = byte(carry)
			carry >>= 8
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(diff))
	sc.Buffer(make([]byte, 64*1024), 16<<20)
scan:
	for sc.Scan() {
		line := sc.Text() + "\n"
		if patchlen == 0 && !strings.HasPrefix(line, "diff ") {
			continue
		}
		if before == -1 {
			switch {
			case strings.HasPrefix(line, "GIT binary patch"), strings.HasPrefix(line, "Binary files"):
				binary = true
				before = 0
				h.Write([]byte(preOID))
				h.Write([]byte(postOID))
				flush()
				continue
			case strings.HasPrefix(line, "index "):
				rest := strings.TrimSuffix(strings.TrimPrefix(line, "index "), "\n")
				if a, b, ok := strings.Cut(rest, ".."); ok {
					b, _, _ = strings.Cut(b, " ")
					preOID, postOID = a, b
				}
				continue
			case strings.HasPrefix(line, "--- "):
				before, after = 1, 1
			case !unicode.IsLetter(rune(line[0])):
				break scan
			}
		}
		if binary {
			if strings.HasPrefix(line, "diff ") {
				binary = false
				before = -1
			}
			continue
		}
		if before == 0 && after == 0 {
			if strings.HasPrefix(line, "@@ -") {
				before, after = hunkCounts(line)
				continue
			}
			if !strings.HasPrefix(line, "diff ") {
				break scan
			}
			flush()
			before, after = -1, -1
		}
		if line[0] == '-' || line[0] == ' ' {
			before--
		}
		if line[0] == '+' || line[0] == ' ' {
			after--
		}
		stripped := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' {
				return -1
			}
			return r
		}, line)
		patchlen += len(stripped)
		h.Write([]byte(stripped))
	}
	if patchlen == 0 {
		return ""
	}
	flush()
	return hex.EncodeToString(result[:])
}

// hunkCounts parses "@@ -a,b +c,d @@" into b and d (1 when omitted).
func hunkCounts(line string) (int, int) {
	count := func(s string) int {
		if _, n, ok := strings.Cut(s, ","); ok {
			v, err := strconv.Atoi(n)
			if err != nil {
				return 0
			}
			return v
		}
		return 1
	}
	f := strings.Fields(line)
	if len(f) < 3 {
		return 0, 0
	}
	return count(strings.TrimPrefix(f[1], "-")), count(strings.TrimPrefix(f[2], "+"))
}
