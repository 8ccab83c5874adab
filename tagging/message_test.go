package tagging_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/tagging"
)

// CleanMessage must produce what `git tag -a -m` stores, byte for byte:
// comment lines ('#') are removed, only " \t\r\n" count as trailing white
// space (git keeps \v and \f), CRLF becomes LF, and a final newline is
// added.
func TestCleanMessageMatchesGit(t *testing.T) {
	f := newFixture(t)
	msgs := []string{
		"no trailing newline",
		"multi\nline\nmessage\n",
		"crlf\r\nlines\r\n\r\n\r\nend\r\n",
		"lone\rcarriage return\n",
		"# a comment\nkept\n",
		"## Features\n\n- one\n# two\n",
		"  # indented is kept\n",
		"tab\t\nvt\v\nff\f\n",
		"\n\n  leading blank lines\n\n\n",
		"a\n\n# c\n\nb\n",
		"#\n#x\nbody",
		"trailing   \t \r",
		"\xff\xfe latin\n",
	}
	for i, msg := range msgs {
		name := fmt.Sprintf("m%d", i)
		out, err := f.runIn(t, nil, gitTagEnv(), "git", "tag", "-a", "-m", msg, name, f.commit.String())
		require.NoError(t, err, out)
		o, err := tagging.Parse(f.catTag(t, name))
		require.NoError(t, err)
		assert.Equal(t, o.Message, tagging.CleanMessage(msg), "%q", msg)

		// And Create stores exactly git's object for it.
		req := f.req("r" + name)
		req.Message = msg
		tag, err := tagging.CreateUnsigned(t.Context(), f.repo, req)
		require.NoError(t, err, "%q", msg)
		want := bytes.Replace(f.catTag(t, name), []byte("\ntag "+name+"\n"), []byte("\ntag r"+name+"\n"), 1)
		assert.Equal(t, string(want), string(f.catTag(t, "r"+name)), "%q", msg)
		assert.Equal(t, o.Message, tag.Message)
	}
}

// CleanMessage is idempotent and leaves no comment line, no trailing white
// space and no blank line at either end.
func FuzzCleanMessage(f *testing.F) {
	for _, s := range []string{"x", "# c\nx", "a\r\n\r\nb\v\f \t\r", "\n\n  x  \n\n\n\ny\t\n\n", "#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		c := tagging.CleanMessage(msg)
		if tagging.CleanMessage(c) != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", msg, c, tagging.CleanMessage(c))
		}
		if c == "" {
			return
		}
		if !strings.HasSuffix(c, "\n") || strings.HasPrefix(c, "\n") || strings.HasSuffix(c, "\n\n") || strings.Contains(c, "\n\n\n") {
			t.Fatalf("bad blank lines: %q", c)
		}
		for _, line := range strings.Split(strings.TrimSuffix(c, "\n"), "\n") {
			if strings.HasPrefix(line, "#") || strings.TrimRight(line, " \t\r") != line {
				t.Fatalf("line %q left in %q", line, c)
			}
		}
	})
}
