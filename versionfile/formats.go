package versionfile

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pelletier/go-toml/v2/unstable"
	"gopkg.in/yaml.v3"
)

// maxFile bounds the files the package reads: a version file is small.
const maxFile = 16 << 20

// maxDepth bounds the nesting of a JSON version file (ErrUnsupported).
const maxDepth = 512

func syntaxErr(k Kind, data []byte, off int, err error) error {
	line := 0
	if off >= 0 {
		line = lineAt(data, off)
	}
	return &Error{Kind: k, Line: line, Reason: err.Error(), Err: ErrSyntax}
}

// plainValue makes the span of a quoted value whose raw bytes are
// raw[1:len(raw)-1] at data[start:], checking that the bytes are the
// decoded value (no escapes) and that it is one line.
func plainValue(k Kind, data []byte, start int, raw, value string) (Span, error) {
	line := lineAt(data, start)
	if raw != value || strings.ContainsAny(raw, "\r\n") {
		return Span{}, &Error{Kind: k, Line: line, Reason: fmt.Sprintf("the version %q is written with escapes or on several lines", value), Err: ErrUnsupported}
	}
	return Span{Start: start, End: start + len(raw), Line: line, Value: value}, nil
}

// findJSON finds the string at each of paths (object keys from the root).
// A path found twice (a duplicate key) is ErrAmbiguous. When required,
// the first path must be found; other paths are optional.
func findJSON(k Kind, data []byte, paths [][]string) ([]Span, error) {
	if len(data) > maxFile {
		return nil, &Error{Kind: k, Reason: "file too large", Err: ErrSyntax}
	}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		off := -1
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = int(se.Offset)
		}
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return nil, syntaxErr(k, data, off, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// Only the paths' depth is tracked: a value deeper than the longest
	// path is on none, and its path is never built (a deep document costs
	// O(depth) a value, not O(depth) copies).
	longest := 0
	for _, p := range paths {
		longest = max(longest, len(p))
	}
	var stack []frame
	found := map[int]Span{}
	var order []int
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntaxErr(k, data, before, err)
		}
		// The path of this value, when it is a value in an object.
		var here []string
		isKey := false
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			if top.object {
				if top.wantKey {
					if d, ok := tok.(json.Delim); ok && d == '}' {
						stack = stack[:n-1]
						markValueDone(stackTop(stack))
						continue
					}
					top.key, top.wantKey, isKey = tok.(string), false, true
				} else if top.tracked && len(top.path) < longest {
					here = append(top.path[:len(top.path):len(top.path)], top.key)
				}
			} else {
				here = nil // array elements are never on a path
			}
		}
		if isKey {
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				if len(stack) >= maxDepth {
					return nil, &Error{Kind: k, Line: lineAt(data, before+1), Reason: fmt.Sprintf("nested deeper than %d", maxDepth), Err: ErrUnsupported}
				}
				path := here
				if len(stack) == 0 {
					path = []string{}
				}
				stack = append(stack, frame{object: true, wantKey: true, path: path, tracked: path != nil})
				continue
			case '[':
				if len(stack) >= maxDepth {
					return nil, &Error{Kind: k, Line: lineAt(data, before+1), Reason: fmt.Sprintf("nested deeper than %d", maxDepth), Err: ErrUnsupported}
				}
				stack = append(stack, frame{})
				continue
			case ']':
				stack = stack[:len(stack)-1]
				markValueDone(stackTop(stack))
				continue
			}
		case string:
			for i, p := range paths {
				if here == nil || !slices.Equal(here, p) || !onPath(stack) {
					continue
				}
				end := int(dec.InputOffset())
				q := bytes.IndexByte(data[before:end], '"')
				if q < 0 {
					return nil, syntaxErr(k, data, before, errors.New("string without a quote"))
				}
				start := before + q + 1
				if _, dup := found[i]; dup {
					return nil, &Error{Kind: k, Line: lineAt(data, start), Reason: fmt.Sprintf("%q is given twice", strings.Join(p, ".")), Err: ErrAmbiguous}
				}
				sp, err := plainValue(k, data, start, string(data[start:end-1]), t)
				if err != nil {
					return nil, err
				}
				found[i] = sp
				order = append(order, i)
			}
		default:
			for _, p := range paths {
				if here != nil && slices.Equal(here, p) && onPath(stack) {
					return nil, &Error{Kind: k, Line: lineAt(data, before+1), Reason: fmt.Sprintf("%q is not a string", strings.Join(p, ".")), Err: ErrUnsupported}
				}
			}
		}
		markValueDone(stackTop(stack))
	}
	if _, ok := found[0]; !ok {
		return nil, &Error{Kind: k, Reason: fmt.Sprintf("no %q", strings.Join(paths[0], ".")), Err: ErrNoVersion}
	}
	var spans []Span
	for _, i := range order {
		spans = append(spans, found[i])
	}
	slices.SortFunc(spans, func(a, b Span) int { return a.Start - b.Start })
	return spans, nil
}

// onPath reports whether every enclosing container is an object (a value
// inside an array is on no path).
func onPath(stack []frame) bool {
	for _, f := range stack {
		if !f.object {
			return false
		}
	}
	return true
}

// A frame is a JSON container being read: an object (with the key whose
// value comes next and, when tracked, the path from the root) or an
// array. An object is tracked when it is on a path no longer than the
// longest path looked for, inside objects only.
type frame struct {
	object  bool
	key     string
	wantKey bool
	tracked bool
	path    []string
}

func stackTop(stack []frame) *frame {
	if len(stack) == 0 {
		return nil
	}
	return &stack[len(stack)-1]
}

// markValueDone notes that the value of the current key of an object was
// read: the next token is a key.
func markValueDone(top *frame) {
	if top != nil && top.object {
		top.wantKey = true
	}
}

// findYAML finds the top-level version of a Chart.yaml.
func findYAML(k Kind, data []byte) ([]Span, error) {
	if len(data) > maxFile {
		return nil, &Error{Kind: k, Reason: "file too large", Err: ErrSyntax}
	}
	// yaml.v3 also breaks lines at a lone CR and at U+0085, U+2028 and
	// U+2029; positions are counted by LF (yamlOffset), so such a file
	// is refused rather than misread.
	if i := bytes.IndexFunc(data, func(r rune) bool { return r == 0x85 || r == 0x2028 || r == 0x2029 }); i >= 0 {
		return nil, &Error{Kind: k, Line: lineAt(data, i), Reason: "a line break other than LF or CRLF", Err: ErrUnsupported}
	}
	for i := bytes.IndexByte(data, '\r'); i >= 0; {
		if i+1 >= len(data) || data[i+1] != '\n' {
			return nil, &Error{Kind: k, Line: lineAt(data, i), Reason: "a line break other than LF or CRLF", Err: ErrUnsupported}
		}
		j := bytes.IndexByte(data[i+1:], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &Error{Kind: k, Reason: "empty file", Err: ErrNoVersion}
		}
		return nil, &Error{Kind: k, Reason: err.Error(), Err: ErrSyntax}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{Kind: k, Line: extra.Line, Reason: "more than one YAML document", Err: ErrUnsupported}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{Kind: k, Reason: "want a mapping at the top", Err: ErrNoVersion}
	}
	root := doc.Content[0]
	var spans []Span
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, v := root.Content[i], root.Content[i+1]
		if key.Value != "version" || key.Kind != yaml.ScalarNode {
			continue
		}
		if len(spans) > 0 {
			return nil, &Error{Kind: k, Line: key.Line, Reason: "version is given twice", Err: ErrAmbiguous}
		}
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" || v.Alias != nil {
			return nil, &Error{Kind: k, Line: v.Line, Reason: "version is not a scalar", Err: ErrUnsupported}
		}
		start, ok := yamlOffset(data, v.Line, v.Column)
		if !ok {
			return nil, &Error{Kind: k, Line: v.Line, Reason: "version position out of range", Err: ErrSyntax}
		}
		switch v.Style {
		case 0, yaml.TaggedStyle:
			if !bytes.HasPrefix(data[start:], []byte(v.Value)) {
				return nil, &Error{Kind: k, Line: v.Line, Reason: "version is not written as it reads", Err: ErrUnsupported}
			}
			sp := Span{Start: start, End: start + len(v.Value), Line: v.Line, Value: v.Value}
			if v.Tag != "!!str" && v.Tag != "!!int" && v.Tag != "!!float" || strings.ContainsAny(v.Value, "\r\n") {
				return nil, &Error{Kind: k, Line: v.Line, Reason: "version is not a plain string", Err: ErrUnsupported}
			}
			spans = append(spans, sp)
		case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
			q := byte('"')
			if v.Style == yaml.SingleQuotedStyle {
				q = '\''
			}
			if start >= len(data) || data[start] != q {
				return nil, &Error{Kind: k, Line: v.Line, Reason: "version quote not found", Err: ErrUnsupported}
			}
			end := bytes.IndexByte(data[start+1:], q)
			if end < 0 {
				return nil, &Error{Kind: k, Line: v.Line, Reason: "version quote not closed", Err: ErrSyntax}
			}
			sp, err := plainValue(k, data, start+1, string(data[start+1:start+1+end]), v.Value)
			if err != nil {
				return nil, err
			}
			spans = append(spans, sp)
		default:
			return nil, &Error{Kind: k, Line: v.Line, Reason: "version is a block scalar", Err: ErrUnsupported}
		}
	}
	// A plain version that YAML reads as a number (version: 1.10 is the
	// float 1.1) cannot be one: it must read back as written.
	for _, s := range spans {
		if s.Value == "" {
			return nil, &Error{Kind: k, Line: s.Line, Reason: "empty version", Err: ErrNoVersion}
		}
	}
	return spans, nil
}

// yamlOffset converts yaml.v3's 1-based line and column (counted in
// characters) into a byte offset.
func yamlOffset(data []byte, line, col int) (int, bool) {
	off := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			return 0, false
		}
		off += i + 1
	}
	for c := 1; c < col; c++ {
		if off >= len(data) || data[off] == '\n' {
			return 0, false
		}
		_, n := utf8.DecodeRune(data[off:])
		off += n
	}
	return off, off <= len(data)
}

// xmlBlanks are XML's white space characters.
const xmlBlanks = " \t\r\n"

// findXML finds project/version in a pom.xml.
func findXML(k Kind, data []byte) ([]Span, error) {
	if len(data) > maxFile {
		return nil, &Error{Kind: k, Reason: "file too large", Err: ErrSyntax}
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var stack []string
	var spans []Span
	rootSeen := false
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntaxErr(k, data, before, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if rootSeen || t.Name.Local != "project" {
					return nil, &Error{Kind: k, Line: lineAt(data, before), Reason: fmt.Sprintf("root element %q is not project", t.Name.Local), Err: ErrNoVersion}
				}
				rootSeen = true
			}
			stack = append(stack, t.Name.Local)
			if len(stack) != 2 || t.Name.Local != "version" {
				continue
			}
			if len(spans) > 0 {
				return nil, &Error{Kind: k, Line: lineAt(data, before), Reason: "project/version is given twice", Err: ErrAmbiguous}
			}
			start := int(dec.InputOffset())
			inner, err := dec.Token()
			if err != nil {
				return nil, syntaxErr(k, data, start, err)
			}
			cd, ok := inner.(xml.CharData)
			if !ok {
				return nil, &Error{Kind: k, Line: lineAt(data, start), Reason: "project/version holds no text", Err: ErrUnsupported}
			}
			// XML's white space only: the value and its bytes are trimmed
			// alike, and other white space (U+00A0, U+0085, which
			// strings.TrimSpace would also drop) is refused.
			value := strings.Trim(string(cd), xmlBlanks) // cd is the decoder's buffer until the next Token
			end := int(dec.InputOffset())
			raw := string(data[start:end])
			lead := len(raw) - len(strings.TrimLeft(raw, xmlBlanks))
			trimmed := strings.Trim(raw, xmlBlanks)
			if strings.IndexFunc(value, unicode.IsSpace) >= 0 {
				return nil, &Error{Kind: k, Line: lineAt(data, start), Reason: "project/version holds white space", Err: ErrUnsupported}
			}
			next, err := dec.Token()
			if err != nil {
				return nil, syntaxErr(k, data, end, err)
			}
			if _, ok := next.(xml.EndElement); !ok {
				return nil, &Error{Kind: k, Line: lineAt(data, end), Reason: "project/version holds more than text", Err: ErrUnsupported}
			}
			stack = stack[:len(stack)-1]
			sp, err := plainValue(k, data, start+lead, trimmed, value)
			if err != nil {
				return nil, err
			}
			if strings.Contains(sp.Value, "${") {
				return nil, &Error{Kind: k, Line: sp.Line, Reason: "project/version is a property reference", Err: ErrUnsupported}
			}
			spans = append(spans, sp)
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if !rootSeen {
		return nil, &Error{Kind: k, Reason: "no project element", Err: ErrNoVersion}
	}
	if len(spans) == 0 {
		return nil, &Error{Kind: k, Reason: "no project/version (a version inherited from the parent is edited in the parent)", Err: ErrNoVersion}
	}
	return spans, nil
}

// findTOML finds the first of paths (full dotted keys) that the document
// sets; a later path is used only when no earlier one is set.
func findTOML(k Kind, data []byte, paths [][]string) ([]Span, error) {
	if len(data) > maxFile {
		return nil, &Error{Kind: k, Reason: "file too large", Err: ErrSyntax}
	}
	var p unstable.Parser
	p.Reset(data)
	var table []string
	found := make([][]Span, len(paths))
	dynamic := false
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = tomlKey(e.Key())
			if e.Kind == unstable.ArrayTable {
				table = append(table, "\x00array")
			}
		case unstable.KeyValue:
			full := append(slices.Clone(table), tomlKey(e.Key())...)
			if slices.Equal(full, []string{"project", "dynamic"}) && tomlListHas(e.Value(), "version") {
				dynamic = true
			}
			for i, want := range paths {
				if !slices.Equal(full, want) {
					continue
				}
				v := e.Value()
				start := int(v.Raw.Offset)
				if v.Kind != unstable.String {
					return nil, &Error{Kind: k, Line: lineAt(data, start), Reason: fmt.Sprintf("%s is not a string", strings.Join(want, ".")), Err: ErrUnsupported}
				}
				raw := string(p.Raw(v.Raw))
				if len(raw) < 2 || strings.HasPrefix(raw, `"""`) || strings.HasPrefix(raw, "'''") {
					return nil, &Error{Kind: k, Line: lineAt(data, start), Reason: "the version is a multi-line string", Err: ErrUnsupported}
				}
				sp, err := plainValue(k, data, start+1, raw[1:len(raw)-1], string(v.Data))
				if err != nil {
					return nil, err
				}
				found[i] = append(found[i], sp)
			}
		}
	}
	if err := p.Error(); err != nil {
		var pe *unstable.ParserError
		off := -1
		if errors.As(err, &pe) {
			if sh := p.Shape(p.Range(pe.Highlight)); sh.Start.Line > 0 {
				return nil, &Error{Kind: k, Line: sh.Start.Line, Reason: pe.Error(), Err: ErrSyntax}
			}
		}
		return nil, syntaxErr(k, data, off, err)
	}
	// Every path that is set is a version: pyproject.toml may carry both
	// [project].version and [tool.poetry].version (Poetry 1.x builds from
	// the latter); both are edited, and Find refuses them when they
	// disagree.
	var spans []Span
	for i, f := range found {
		if len(f) > 1 {
			return nil, &Error{Kind: k, Line: f[1].Line, Reason: fmt.Sprintf("%s is given twice", strings.Join(paths[i], ".")), Err: ErrAmbiguous}
		}
		spans = append(spans, f...)
	}
	if len(spans) > 0 {
		slices.SortFunc(spans, func(a, b Span) int { return a.Start - b.Start })
		return spans, nil
	}
	if dynamic {
		return nil, &Error{Kind: k, Reason: "project.dynamic lists version: the build backend computes it", Err: ErrNoVersion}
	}
	return nil, &Error{Kind: k, Reason: "no " + strings.Join(paths[0], "."), Err: ErrNoVersion}
}

func tomlKey(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

func tomlListHas(v *unstable.Node, s string) bool {
	if v == nil || v.Kind != unstable.Array {
		return false
	}
	it := v.Children()
	for it.Next() {
		n := it.Node()
		if n.Kind == unstable.String && string(n.Data) == s {
			return true
		}
	}
	return false
}

// findGo finds the string constant or variable ident declared at the top
// level of a Go file.
func findGo(k Kind, data []byte, ident string) ([]Span, error) {
	if len(data) > maxFile {
		return nil, &Error{Kind: k, Reason: "file too large", Err: ErrSyntax}
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "version.go", data, parser.SkipObjectResolution)
	if err != nil {
		line := 0
		var el scanner.ErrorList
		if errors.As(err, &el) && len(el) > 0 {
			line = el[0].Pos.Line
		}
		return nil, &Error{Kind: k, Line: line, Reason: err.Error(), Err: ErrSyntax}
	}
	var spans []Span
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || (gd.Tok != token.CONST && gd.Tok != token.VAR) {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if name.Name != ident {
					continue
				}
				line := fset.Position(name.Pos()).Line
				if len(spans) > 0 {
					return nil, &Error{Kind: k, Line: line, Reason: ident + " is declared twice", Err: ErrAmbiguous}
				}
				if i >= len(vs.Values) {
					return nil, &Error{Kind: k, Line: line, Reason: ident + " has no value", Err: ErrUnsupported}
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return nil, &Error{Kind: k, Line: line, Reason: ident + " is not a string literal", Err: ErrUnsupported}
				}
				val, err := strconv.Unquote(lit.Value)
				if err != nil {
					return nil, &Error{Kind: k, Line: line, Reason: err.Error(), Err: ErrSyntax}
				}
				start := fset.Position(lit.Pos()).Offset + 1
				sp, err := plainValue(k, data, start, lit.Value[1:len(lit.Value)-1], val)
				if err != nil {
					return nil, err
				}
				spans = append(spans, sp)
			}
		}
	}
	if len(spans) == 0 {
		return nil, &Error{Kind: k, Reason: "no top-level const or var " + ident, Err: ErrNoVersion}
	}
	return spans, nil
}

// markedVersionRE is a version on a marked line: 1.2.3, v1.2.3,
// 2026.02.1, 2026.02.0.1, with a pre-release and build; group 1 is the
// version (a leading "v" is kept).
var markedVersionRE = regexp.MustCompile(`(?:^|[^0-9A-Za-z.]|v)([0-9]+\.[0-9]+\.[0-9]+(?:\.[0-9]+)?(?:-[0-9A-Za-z][0-9A-Za-z.-]*)?(?:\+[0-9A-Za-z][0-9A-Za-z.-]*)?)`)

// The markers of a block of lines whose versions are all updated.
const (
	BlockStart = "x-releasekit-start-version"
	BlockEnd   = "x-releasekit-end"
)

// fileExtensions are the file extensions a marked line's pre-release or
// build must not end in: "app-1.2.0-linux-amd64.tar.gz" is a version
// followed by a file name, not the pre-release "linux-amd64.tar.gz".
var fileExtensions = map[string]bool{
	"tar": true, "gz": true, "tgz": true, "zip": true, "xz": true, "bz2": true,
	"deb": true, "rpm": true, "exe": true, "dmg": true, "msi": true, "jar": true,
	"whl": true, "apk": true, "pkg": true, "sha256": true, "sig": true, "asc": true,
}

// fileExtension returns the file extension version ends in (its last
// dot-separated identifier of pre-release or build, [fileExtensions],
// in any case), "" when it ends in none.
func fileExtension(version string) string {
	i := strings.IndexAny(version, "-+")
	if i < 0 {
		return ""
	}
	id := version[i+1:]
	if j := strings.LastIndexAny(id, ".+"); j >= 0 {
		id = id[j+1:]
	}
	if fileExtensions[strings.ToLower(id)] {
		return id
	}
	return ""
}

// findMarked finds the version of each line holding marker, and of each
// line between the block markers. Each such line holds one version,
// written once or several times (a span for each): a line with two
// different ones, or with one whose pre-release or build ends in a file
// extension, is ErrAmbiguous (a marked line without one is ErrNoVersion;
// a line of a block without one is left alone).
func findMarked(k Kind, data []byte, marker string) ([]Span, error) {
	if len(data) > maxFile {
		return nil, &Error{Kind: k, Reason: "file too large", Err: ErrSyntax}
	}
	if marker == "" || strings.ContainsAny(marker, "\r\n") {
		return nil, &Error{Kind: k, Reason: "empty marker", Err: ErrUnsupported}
	}
	var spans []Span
	inBlock, blockLine := false, 0
	for off, n := 0, 1; off < len(data); n++ {
		end, next := bytes.IndexByte(data[off:], '\n'), 0
		if end < 0 {
			end, next = len(data)-off, len(data)
		} else {
			next = off + end + 1
		}
		line := data[off : off+end]
		switch {
		case bytes.Contains(line, []byte(BlockStart)):
			if inBlock {
				return nil, &Error{Kind: k, Line: n, Reason: "a version block inside a version block", Err: ErrSyntax}
			}
			inBlock, blockLine = true, n
		case inBlock && bytes.Contains(line, []byte(BlockEnd)):
			inBlock = false
		case inBlock || bytes.Contains(line, []byte(marker)):
			locs := markedVersionRE.FindAllSubmatchIndex(line, -1)
			if len(locs) == 0 && !inBlock {
				return nil, &Error{Kind: k, Line: n, Reason: "marked line without a version", Err: ErrNoVersion}
			}
			for _, loc := range locs {
				v := string(line[loc[2]:loc[3]])
				if first := string(line[locs[0][2]:locs[0][3]]); v != first {
					// An address (10.0.0.1), a base image's version
					// (node:20.11.1) or a second version beside the
					// release's: which one is the release's cannot be
					// told, so none is edited. The same version written
					// twice (a download URL's directory and file name)
					// is one version, and each is edited.
					return nil, &Error{Kind: k, Line: n, Reason: fmt.Sprintf("the line holds more than one version (%s and %s)", first, v), Err: ErrAmbiguous}
				}
				if ext := fileExtension(v); ext != "" {
					// A pre-release is legal SemVer, so "1.2.0-linux-amd64.tar.gz"
					// reads as one; editing it would delete the file name.
					return nil, &Error{Kind: k, Line: n, Reason: fmt.Sprintf("the version %s ends in the file extension .%s: a version followed by a file name cannot be told from a pre-release", v, ext), Err: ErrAmbiguous}
				}
				spans = append(spans, Span{Start: off + loc[2], End: off + loc[3], Line: n, Value: v})
			}
		}
		off = next
	}
	if inBlock {
		return nil, &Error{Kind: k, Line: blockLine, Reason: "version block not closed (" + BlockEnd + ")", Err: ErrSyntax}
	}
	if len(spans) == 0 {
		return nil, &Error{Kind: k, Reason: "no line marked " + marker, Err: ErrNoVersion}
	}
	return spans, nil
}
