package changelog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/releasekit/releasekit/internal/atomicfile"
)

var (
	// ErrAlreadyDocumented means that the CHANGELOG already has a section
	// for the version, and [WithReplace] was not given.
	ErrAlreadyDocumented = errors.New("changelog: version already documented")
	// ErrUnsafePath means that the CHANGELOG path escapes the root
	// directory given to [UpdateFile] or is a symbolic link.
	ErrUnsafePath = atomicfile.ErrUnsafePath
	// ErrConcurrentModification means that the CHANGELOG changed between
	// the moment [UpdateFile] read it and the moment it was to be replaced.
	ErrConcurrentModification = atomicfile.ErrConcurrentModification
)

// UpdateOption configures [Update], [Insert] and [UpdateFile].
type UpdateOption func(*updateConfig)

type updateConfig struct {
	format  Format
	replace bool
	skip    bool
	title   string
}

// WithReplace makes an update for a version already in the file replace that
// version's section instead of failing with [ErrAlreadyDocumented].
func WithReplace() UpdateOption { return func(c *updateConfig) { c.replace = true } }

// WithSkipDocumented makes an update for a version already in the file a no-op
// instead of failing with [ErrAlreadyDocumented].
func WithSkipDocumented() UpdateOption { return func(c *updateConfig) { c.skip = true } }

// WithFormat sets the style of the new section: [Markdown] (the default) or
// [KeepAChangelog]. [JSON] is refused with a [*FormatError].
func WithFormat(f Format) UpdateOption { return func(c *updateConfig) { c.format = f } }

// WithTitle sets the first lines of a CHANGELOG that is created from
// nothing (default "# Changelog").
func WithTitle(t string) UpdateOption { return func(c *updateConfig) { c.title = t } }

// Update reads a CHANGELOG.md from r and writes it to w with the section of
// n added: see [Insert]. Nothing is written to w when an error is
// returned, and w is written in one call.
func Update(r io.Reader, w io.Writer, n Notes, opts ...UpdateOption) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read changelog: %w", err)
	}
	out, err := Insert(data, n, opts...)
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("write changelog: %w", err)
	}
	return nil
}

// Insert returns data, a CHANGELOG.md, with the section of n added, keeping
// every other byte: a UTF-8 byte order mark, CRLF line endings (the new
// section takes the file's line ending), hand-written text and a missing
// final newline.
//
// The section goes where an existing "## [Unreleased]" or "## Unreleased"
// section is (replacing it, so it is never duplicated), else before the
// first "## " heading (under the file's title and introduction), else at
// the end. Headings inside fenced code blocks are ignored. When the file
// already has a section for n.Version ("## [v1.2.0]", "## 1.2.0 …", a
// leading "v" ignored), Insert returns [ErrAlreadyDocumented], or with
// [WithReplace] replaces that section, or with [WithSkipDocumented] returns data
// unchanged. Notes with an empty Version replace the Unreleased section.
// Insert does not modify data.
func Insert(data []byte, n Notes, opts ...UpdateOption) ([]byte, error) {
	return insert(data, []Notes{n}, opts)
}

// insert adds the sections of notes (newest first) to data.
func insert(data []byte, notes []Notes, opts []UpdateOption) ([]byte, error) {
	cfg := updateConfig{format: Markdown, title: "# Changelog"}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.format != Markdown && cfg.format != KeepAChangelog {
		return nil, formatError(cfg.format)
	}
	nl := "\n"
	if i := bytes.IndexByte(data, '\n'); i > 0 && data[i-1] == '\r' || i < 0 && bytes.HasSuffix(data, []byte("\r")) {
		// A file without any line feed that ends in CR gets CRLF: the
		// line feed written after it then makes its first line end in
		// CRLF, and the next update sees the same line ending.
		nl = "\r\n"
	}
	var block strings.Builder
	// Fresh sections older than a documented one go below it, grouped by
	// the key of that documented section.
	type group struct {
		key  string
		text strings.Builder
	}
	var below []*group
	heads, _ := headings(data)
	for _, n := range notes {
		section, _ := render(n, cfg.format, nl)
		if n.Version != "" {
			key := sectionKey(section)
			if at := find(heads, key); at >= 0 {
				switch {
				case cfg.skip:
				case !cfg.replace:
					return nil, fmt.Errorf("%w: %s", ErrAlreadyDocumented, n.Version)
				default:
					data = splice(data, heads, at, section, nl)
					heads, _ = headings(data)
				}
				below = append(below, &group{key: key})
				continue
			}
		}
		b := &block
		if len(below) > 0 {
			b = &below[len(below)-1].text
		}
		if b.Len() > 0 {
			b.WriteString(nl)
		}
		b.WriteString(section)
	}
	for _, g := range below {
		if g.text.Len() > 0 {
			data = insertAfter(data, g.key, g.text.String(), nl)
		}
	}
	if block.Len() == 0 {
		return bytes.Clone(data), nil
	}
	section := block.String()
	heads, fence := headings(data)
	if at := find(heads, "unreleased"); at >= 0 {
		return splice(data, heads, at, section, nl), nil
	}
	var out bytes.Buffer
	out.Grow(len(data) + len(section) + 2*len(nl) + len(cfg.title))
	switch {
	case len(heads) > 0:
		start := heads[0].start
		out.Write(data[:start])
		out.WriteString(section)
		out.WriteString(nl)
		out.Write(data[start:])
	case len(bytes.TrimPrefix(data, []byte(bom))) == 0:
		out.Write(data)
		out.WriteString(strings.ReplaceAll(strings.TrimRight(cfg.title, "\r\n"), "\n", nl))
		out.WriteString(nl + nl)
		out.WriteString(section)
	default:
		out.Write(data)
		if !bytes.HasSuffix(data, []byte("\n")) {
			out.WriteString(nl)
		}
		if fence != "" {
			// The file ends inside a fenced code block: close it, or the
			// new section would be code.
			out.WriteString(fence + nl)
		}
		if !bytes.HasSuffix(data, []byte("\n\n")) && !bytes.HasSuffix(data, []byte("\n\r\n")) {
			out.WriteString(nl)
		}
		out.WriteString(section)
	}
	return out.Bytes(), nil
}

// insertAfter inserts section at the end of the section with key.
func insertAfter(data []byte, key, section, nl string) []byte {
	heads, _ := headings(data)
	at := find(heads, key)
	var out bytes.Buffer
	out.Grow(len(data) + len(section) + 2*len(nl))
	if at+1 < len(heads) {
		p := heads[at+1].start
		out.Write(data[:p])
		out.WriteString(section)
		out.WriteString(nl)
		out.Write(data[p:])
		return out.Bytes()
	}
	out.Write(data)
	if !bytes.HasSuffix(data, []byte("\n")) {
		out.WriteString(nl)
	}
	if !bytes.HasSuffix(data, []byte("\n\n")) && !bytes.HasSuffix(data, []byte("\n\r\n")) {
		out.WriteString(nl)
	}
	out.WriteString(section)
	return out.Bytes()
}

// find returns the index of the heading with key, or -1.
func find(heads []heading, key string) int {
	for i, h := range heads {
		if h.key == key {
			return i
		}
	}
	return -1
}

// splice replaces the section of heading at with section.
func splice(data []byte, heads []heading, at int, section, nl string) []byte {
	start, end := heads[at].start, len(data)
	if at+1 < len(heads) {
		end = heads[at+1].start
	}
	var out bytes.Buffer
	out.Grow(len(data) + len(section))
	out.Write(data[:start])
	out.WriteString(section)
	if end < len(data) {
		out.WriteString(nl)
	}
	out.Write(data[end:])
	return out.Bytes()
}

// bom is the UTF-8 byte order mark.
const bom = "\xef\xbb\xbf"

// heading is a level-2 heading of a CHANGELOG: where its line starts and
// the version it names ("unreleased" for Unreleased).
type heading struct {
	start int
	key   string
}

// headings returns the level-2 headings of data outside fenced code
// blocks, and the fence that closes a block still open at the end (""
// for none).
func headings(data []byte) ([]heading, string) {
	var hs []heading
	off := 0
	if bytes.HasPrefix(data, []byte(bom)) {
		off = len(bom)
	}
	var fence byte
	fenceLen := 0 // length of the opening fence
	for off < len(data) {
		end := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if end >= 0 {
			next = off + end + 1
		}
		line := bytes.TrimRight(data[off:next], "\r\n")
		trimmed := bytes.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		switch {
		case indent < 4 && (bytes.HasPrefix(trimmed, []byte("```")) || bytes.HasPrefix(trimmed, []byte("~~~"))):
			// A closing fence is made of the opening fence's character, at
			// least as many of them, and nothing but white space after them.
			run := 0
			for run < len(trimmed) && trimmed[run] == trimmed[0] {
				run++
			}
			if fence == 0 {
				if trimmed[0] == '`' && bytes.IndexByte(trimmed[run:], '`') >= 0 {
					break // not a fence: an info string cannot hold a backtick
				}
				fence, fenceLen = trimmed[0], run
			} else if fence == trimmed[0] && run >= fenceLen && len(bytes.TrimSpace(trimmed[run:])) == 0 {
				fence, fenceLen = 0, 0
			}
		case fence == 0 && indent < 4 && bytes.HasPrefix(trimmed, []byte("##")) && (len(trimmed) == 2 || trimmed[2] == ' ' || trimmed[2] == '\t'):
			hs = append(hs, heading{start: off, key: headingKey(string(trimmed[2:]))})
		}
		off = next
	}
	if fence == 0 {
		return hs, ""
	}
	return hs, strings.Repeat(string(fence), fenceLen)
}

// sectionKey returns the key of the heading that starts a rendered
// section, so that a section is always found again by the key it was
// written with.
func sectionKey(section string) string {
	line, _, _ := strings.Cut(section, "\n")
	return headingKey(strings.TrimPrefix(strings.TrimRight(line, "\r"), "##"))
}

// headingKey returns the version a heading's text names: the text inside
// the first brackets, else the first word.
func headingKey(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			return versionKey(s[1:i])
		}
	}
	if i := strings.IndexAny(s, " \t("); i >= 0 {
		s = s[:i]
	}
	return versionKey(s)
}

// versionKey normalises a version for comparison: unescaped, lower case,
// without a leading "v".
func versionKey(v string) string {
	v = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(v, `\`, "")))
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		v = v[1:]
	}
	return v
}

// UpdateFile adds the sections of notes, given newest first as [History]
// yields them, to the CHANGELOG file name inside the directory root, and
// replaces the file atomically (temporary file in the same directory,
// fsync, rename, fsync of the directory). The sections not yet in the file
// go in one block where [Insert] puts one section, newest on top. A file
// that does not exist is created.
//
// It returns an error matching [ErrUnsafePath] when name escapes root or
// is a symbolic link, [ErrConcurrentModification] when the file changed
// while it was being updated, and [ErrAlreadyDocumented] as [Insert] does.
// On any error the file is left exactly as it was.
func UpdateFile(root, name string, notes []Notes, opts ...UpdateOption) error {
	return atomicfile.Update(root, name, func(old []byte, _ bool) ([]byte, error) {
		return insert(old, notes, opts)
	})
}
