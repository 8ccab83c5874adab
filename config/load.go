package config

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"gopkg.in/yaml.v3"

	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/idtoken"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
)

//go:embed schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (2020-12) of the configuration file, as
// shipped in config/schema.json. The caller owns the returned slice.
func Schema() []byte { return bytes.Clone(schemaJSON) }

const schemaURL = "https://github.com/releasekit/releasekit/config/schema.json"

// compiled compiles the embedded schema once; a compiled schema is
// immutable and safe to share. It also keeps the schema document, to name
// the keys an object allows.
var compiled = sync.OnceValues(func() (*compiledSchema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(noLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	s, err := c.Compile(schemaURL)
	if err != nil {
		return nil, err
	}
	return &compiledSchema{schema: s, doc: doc}, nil
})

type compiledSchema struct {
	schema *jsonschema.Schema
	doc    any
}

// noLoader refuses every URL not added as a resource: no network, no files.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not embedded", url)
}

// Find returns the path of the configuration file ([FileName]) that governs
// the directory dir: the one at the root of the git repository dir is in
// (the directory holding .git), never one in a subdirectory, which anyone
// able to add a file could otherwise use to choose their own trust roots
// and approvers. Outside a repository only dir itself is searched. It
// returns [ErrNotFound] when there is none.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("config: find in %s: %w", dir, err)
	}
	root := abs
	for d := abs; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			root = d
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break // not in a repository: dir only
		}
		d = parent
	}
	p := filepath.Join(root, FileName)
	if _, err := os.Lstat(p); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%w at the repository root %s", ErrNotFound, root)
}

// ReadFile reads and checks the configuration file at path: a regular file
// (FIFOs, devices and directories are refused before they are opened) of at
// most [MaxFileSize] bytes, then [Parse]. Every error is an *[Error]
// matching [ErrInvalid].
func ReadFile(path string) (*Config, error) {
	data, err := readRegular(path)
	if err != nil {
		return nil, &Error{File: path, Problems: []Problem{{Msg: "cannot read the configuration: " + err.Error()}}}
	}
	return Parse(data, path)
}

// readRegular reads the regular file at path, of at most MaxFileSize bytes.
// Its errors do not repeat the path.
// It refuses anything else before opening it, so that a FIFO or a device
// cannot block or flood the reader, and checks after opening that the file
// is still the one it looked at.
func readRegular(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("no such file")
		}
		return nil, err
	}
	if err := regular(fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi2, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !os.SameFile(fi, fi2) {
		return nil, errors.New("changed while being opened")
	}
	if err := regular(fi2); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes", MaxFileSize)
	}
	return data, nil
}

func regular(fi os.FileInfo) error {
	m := fi.Mode()
	switch {
	case m.IsRegular():
		if fi.Size() > MaxFileSize {
			return fmt.Errorf("larger than %d bytes", MaxFileSize)
		}
		return nil
	case m.IsDir():
		return errors.New("is a directory, not a regular file")
	case m&os.ModeNamedPipe != 0:
		return errors.New("is a FIFO, not a regular file")
	case m&(os.ModeDevice|os.ModeCharDevice) != 0:
		return errors.New("is a device, not a regular file")
	}
	return errors.New("not a regular file")
}

// Parse reads a configuration from data; file is the path it came from
// ("" for the current directory's [FileName]): problems name it, and the
// relative paths of the configuration resolve against its directory. Parse
// reads the files the configuration names (keys, the policy file), each a
// regular file of at most [MaxFileSize] bytes.
//
// Every problem is reported, not only the first: YAML syntax, duplicate
// keys, aliases, schema violations (unknown keys, wrong types), then the
// rules (unique environment names, approvers for each production
// environment, known control IDs, files that exist and parse, valid
// patterns, windows and time limits). The error is an *[Error] matching
// [ErrInvalid], with the line and column of each problem. A version other
// than 1 is refused on its own.
func Parse(data []byte, file string) (*Config, error) {
	l := &loader{file: file, base: "."}
	if file != "" {
		l.base = filepath.Dir(file)
	}
	if abs, err := filepath.Abs(l.base); err == nil {
		l.base = abs
	}
	cfg := l.parse(data)
	if len(l.problems) > 0 {
		return nil, &Error{File: file, Problems: l.sorted()}
	}
	return cfg, nil
}

type loader struct {
	file, base string
	data       []byte
	root       *yaml.Node
	problems   []Problem
	truncated  bool
	keys       map[string][]KeyInfo
}

// MaxProblems bounds the problems an [*Error] lists; one more says that
// more were found.
const MaxProblems = 100

// full reports whether MaxProblems problems have been recorded.
func (l *loader) full() bool {
	if len(l.problems) >= MaxProblems {
		l.truncated = true
		return true
	}
	return false
}

// add records a problem at the node found at path (a JSON pointer's tokens).
func (l *loader) add(path []string, format string, args ...any) {
	if l.full() {
		return
	}
	n := nodeAt(l.root, path)
	l.addAt(n, pointer(path), fmt.Sprintf(format, args...))
}

func (l *loader) addAt(n *yaml.Node, path, msg string) {
	if l.full() {
		return
	}
	p := Problem{Path: path, Msg: msg}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	l.problems = append(l.problems, p)
}

// sorted returns the problems by position, without repeats.
func (l *loader) sorted() []Problem {
	ps := slices.Clone(l.problems)
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	ps = slices.CompactFunc(ps, func(a, b Problem) bool { return a == b })
	if l.truncated {
		ps = append(ps, Problem{Msg: fmt.Sprintf("more problems not shown: at most %d are reported", MaxProblems)})
	}
	return ps
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): `)

func (l *loader) parse(data []byte) *Config {
	l.data = data
	if len(data) > MaxFileSize {
		l.addAt(nil, "", fmt.Sprintf("larger than %d bytes", MaxFileSize))
		return nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.addAt(nil, "", "empty file: a configuration starts with version: 1")
			return nil
		}
		msg := err.Error()
		p := Problem{Msg: strings.TrimPrefix(msg, "yaml: ")}
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			p.Line, _ = strconv.Atoi(m[1])
			p.Column = 1
			p.Msg = "YAML syntax: " + msg[len(m[0]):]
		}
		l.problems = append(l.problems, p)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			l.addAt(nil, "", "YAML syntax: "+strings.TrimPrefix(err.Error(), "yaml: "))
		} else {
			l.addAt(&extra, "", "more than one YAML document")
		}
		return nil
	}
	if len(doc.Content) == 0 {
		l.addAt(nil, "", "empty file: a configuration starts with version: 1")
		return nil
	}
	l.root = doc.Content[0]
	if l.root.Kind != yaml.MappingNode {
		l.addAt(l.root, "", "want a mapping (version: 1, environments: ...)")
		return nil
	}
	// A version this package does not know is refused on its own: its
	// other keys may mean something else.
	if v := mapValue(l.root, "version"); v != nil && v.Kind == yaml.ScalarNode && v.ShortTag() == "!!int" && v.Value != "1" {
		l.addAt(v, "/version", fmt.Sprintf("version %s is not supported: this releasekit reads version 1", v.Value))
		return nil
	}
	inst := l.instance(l.root, nil)
	l.validateSchema(inst)
	var raw rawConfig
	if js, err := json.Marshal(inst); err == nil {
		_ = json.Unmarshal(js, &raw) // type errors are the schema's problems; check what decoded
	}
	return l.check(&raw)
}

// A step is the last token of a JSON pointer and the pointer before it
// (nil for the document): paths shared by every node below, so that
// building them is linear in the size of the document.
type step struct {
	parent *step
	tok    string
}

// pointer returns the JSON pointer of s.
func (s *step) pointer() string {
	var toks []string
	for ; s != nil; s = s.parent {
		toks = append(toks, s.tok)
	}
	slices.Reverse(toks)
	return pointer(toks)
}

// instance converts n into the JSON value the schema validates, and reports
// what YAML has and JSON does not: aliases, custom tags, duplicate keys,
// non-string keys, non-finite numbers.
func (l *loader) instance(n *yaml.Node, path *step) any {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return l.instance(n.Content[0], path)
	case yaml.AliasNode:
		l.addAt(n, path.pointer(), "aliases are not allowed: write the value out")
		return nil
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || (k.ShortTag() != "!!str" && k.ShortTag() != "!!int" && k.ShortTag() != "!!bool") {
				l.addAt(k, path.pointer(), "a key must be a string")
				continue
			}
			if _, dup := m[k.Value]; dup {
				l.addAt(k, (&step{path, k.Value}).pointer(), fmt.Sprintf("key %q already defined", k.Value))
			}
			m[k.Value] = l.instance(v, &step{path, k.Value})
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = l.instance(c, &step{path, strconv.Itoa(i)})
		}
		return s
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			l.addAt(n, path.pointer(), fmt.Sprintf("%q is not a boolean", n.Value))
			return n.Value
		}
		return b
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			l.addAt(n, path.pointer(), fmt.Sprintf("%q: integer out of range", n.Value))
			return nil
		}
		return json.Number(strconv.FormatInt(i, 10))
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			l.addAt(n, path.pointer(), fmt.Sprintf("%q is not a finite number", n.Value))
			return nil
		}
		return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
	case "!!str", "!!timestamp":
		return n.Value
	}
	l.addAt(n, path.pointer(), fmt.Sprintf("tag %s is not allowed", n.Tag))
	return n.Value
}

func (l *loader) validateSchema(inst any) {
	cs, err := compiled()
	if err != nil {
		l.addAt(nil, "", "the embedded schema does not compile: "+err.Error())
		return
	}
	err = cs.schema.Validate(inst)
	if err == nil {
		return
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		l.addAt(nil, "", err.Error())
		return
	}
	for _, leaf := range leaves(ve) {
		if l.full() {
			return
		}
		l.schemaProblem(cs, leaf)
	}
}

// leaves returns the errors of ve that have no causes: the violations.
// A key refused by propertyNames is a leaf: its causes are about the key
// as a value of its own, without a place in the document.
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if _, ok := ve.ErrorKind.(*kind.PropertyNames); ok || len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func (l *loader) schemaProblem(cs *compiledSchema, ve *jsonschema.ValidationError) {
	path := ve.InstanceLocation
	where := human(path)
	switch k := ve.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		known := cs.properties(ve.SchemaURL)
		for _, p := range k.Properties {
			if l.full() {
				return
			}
			key := keyAt(l.root, path, p)
			msg := fmt.Sprintf("unknown key %q", p)
			if where != "" {
				msg = fmt.Sprintf("%s: unknown key %q", where, p)
			}
			if len(known) > 0 {
				msg += " (want " + strings.Join(known, ", ") + ")"
			}
			l.addAt(key, pointer(append(slices.Clone(path), p)), msg)
		}
		return
	case *kind.Required:
		for _, p := range k.Missing {
			l.add(path, "%s: missing key %q", orDoc(where), p)
		}
		return
	case *kind.Type:
		l.add(path, "%s: want %s, got %s", orDoc(where), strings.Join(k.Want, " or "), k.Got)
		return
	case *kind.Pattern:
		if desc := cs.keyword(ve.SchemaURL, "description"); desc != "" {
			l.add(path, "%s: %q: want %s", orDoc(where), k.Got, desc)
			return
		}
	case *kind.PropertyNames:
		path = propertyPath(l.root, path, k.Property)
		where = human(path)
		msg := fmt.Sprintf("%s: key %q is not allowed here", orDoc(where), k.Property)
		if why := leaves(&jsonschema.ValidationError{Causes: ve.Causes}); len(ve.Causes) > 0 && len(why) > 0 {
			if desc := cs.keyword(why[0].SchemaURL, "description"); desc != "" {
				msg += ": want " + desc
			}
		}
		l.addAt(keyAt(l.root, path, k.Property), pointer(append(slices.Clone(path), k.Property)), msg)
		return
	}
	// The library's own wording: "at '': MSG" for a bare error.
	msg := (&jsonschema.ValidationError{ErrorKind: ve.ErrorKind}).Error()
	msg = strings.TrimPrefix(msg, "at '': ")
	l.add(path, "%s: %s", orDoc(where), msg)
}

func orDoc(where string) string {
	if where == "" {
		return "configuration"
	}
	return where
}

// keyword returns the string value of keyword in the schema at url, or "".
func (cs *compiledSchema) keyword(url, keyword string) string {
	m, ok := cs.at(url).(map[string]any)
	if !ok {
		return ""
	}
	s, _ := m[keyword].(string)
	return s
}

// at returns the schema at url (absolute, with a JSON pointer fragment) in
// the schema document.
func (cs *compiledSchema) at(url string) any {
	_, frag, _ := strings.Cut(url, "#")
	v := cs.doc
	for tok := range strings.SplitSeq(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[tok]
	}
	return v
}

// properties returns the keys the object schema at url declares, sorted.
func (cs *compiledSchema) properties(url string) []string {
	m, ok := cs.at(url).(map[string]any)
	if !ok {
		return nil
	}
	props, ok := m["properties"].(map[string]any)
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// nodeAt returns the node at path under root, or the deepest node on the
// way when path goes further than the document.
func nodeAt(root *yaml.Node, path []string) *yaml.Node {
	n := root
	for _, tok := range path {
		if n == nil {
			return nil
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			next = mapValue(n, tok)
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
			}
		}
		if next == nil {
			return n
		}
		n = next
	}
	return n
}

// propertyPath returns the path of the mapping that holds key, for a
// propertyNames error the validator reported at path. The validator
// (santhosh-tekuri/jsonschema/v6) keeps that error's instance location as
// a slice that its later appends for sibling values may overwrite, so
// path has the right length but not always the right tokens: the mapping
// at path is taken when it holds key, else the mapping at the same depth
// that holds key and shares most tokens with path (the first in the
// document on a tie).
func propertyPath(root *yaml.Node, path []string, key string) []string {
	best, score := []string(nil), -1
	var walk func(n *yaml.Node, at []string)
	walk = func(n *yaml.Node, at []string) {
		if n == nil {
			return
		}
		if len(at) == len(path) {
			if n.Kind == yaml.MappingNode && mapValue(n, key) != nil {
				same := 0
				for i := range at {
					if at[i] == path[i] {
						same++
					}
				}
				if same > score {
					best, score = slices.Clone(at), same
				}
			}
			return
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, at)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], append(at, n.Content[i].Value))
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, append(at, strconv.Itoa(i)))
			}
		}
	}
	walk(root, make([]string, 0, len(path)))
	if best == nil {
		return path
	}
	return best
}

// keyAt returns the key node of key in the mapping at path (the last one
// when it repeats), or the mapping.
func keyAt(root *yaml.Node, path []string, key string) *yaml.Node {
	n := nodeAt(root, path)
	if n == nil || n.Kind != yaml.MappingNode {
		return n
	}
	var found *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			found = n.Content[i]
		}
	}
	if found == nil {
		return n
	}
	return found
}

// mapValue returns the value of key in the mapping m (the last one when
// the key repeats, as the decoded document has it), or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	var v *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Kind == yaml.ScalarNode && m.Content[i].Value == key {
			v = m.Content[i+1]
		}
	}
	return v
}

// pointer returns the JSON pointer of path.
func pointer(path []string) string {
	var b strings.Builder
	for _, tok := range path {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// human returns path as a reader writes it: environments[2].approvers.
func human(path []string) string {
	var b strings.Builder
	for i, tok := range path {
		if _, err := strconv.Atoi(tok); err == nil && i > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// The raw form of the file, decoded from the JSON instance (linear in its
// size, unlike yaml.v3's decoder on many keys) after the schema check.
type rawConfig struct {
	Version    int            `json:"version"`
	Components []rawComponent `json:"components"`
	Changelog  struct {
		Sections []struct {
			Type   string `json:"type"`
			Title  string `json:"title"`
			Hidden bool   `json:"hidden"`
		} `json:"sections"`
		TicketPattern string `json:"ticket_pattern"`
		Links         struct {
			Commit  string `json:"commit"`
			PR      string `json:"pr"`
			Ticket  string `json:"ticket"`
			Compare string `json:"compare"`
		} `json:"links"`
	} `json:"changelog"`
	Trust struct {
		Tags        rawKeySet `json:"tags"`
		Provenance  rawKeySet `json:"provenance"`
		Manifests   rawKeySet `json:"manifests"`
		Checkpoints rawKeySet `json:"checkpoints"`
	} `json:"trust"`
	Environments []rawEnv            `json:"environments"`
	People       map[string][]string `json:"people"`
	Exceptions   struct {
		MaxLifetime string `json:"max_lifetime"`
	} `json:"exceptions"`
	Forge struct {
		Kind       string `json:"kind"`
		URL        string `json:"url"`
		Repository string `json:"repository"`
		Base       string `json:"base"`
	} `json:"forge"`
	Stores struct {
		Store    string `json:"store"`
		GitStore string `json:"git_store"`
		OCIStore string `json:"oci_store"`
	} `json:"stores"`
	Identity struct {
		Issuers []rawIssuer `json:"issuers"`
	} `json:"identity"`
}

type rawIssuer struct {
	Issuer    string         `json:"issuer"`
	Audience  string         `json:"audience"`
	JWKS      string         `json:"jwks"`
	NameClaim string         `json:"name_claim"`
	Claims    map[string]any `json:"claims"` // a string or a list of strings
}

type rawComponent struct {
	Name            string   `json:"name"`
	Path            string   `json:"path"`
	TagPrefix       *string  `json:"tag_prefix"`
	Scheme          string   `json:"scheme"`
	ZeroMajor       string   `json:"zero_major"`
	Channels        []string `json:"channels"`
	InitialVersion  string   `json:"initial_version"`
	ReleaseBranches []string `json:"release_branches"`
	HotfixBranches  []string `json:"hotfix_branches"`
	VersionFiles    []string `json:"version_files"`
	ChangelogFile   string   `json:"changelog_file"`
}

type rawKeySet struct {
	AllowedSigners string   `json:"allowed_signers"`
	Keyring        string   `json:"keyring"`
	Keys           []string `json:"keys"`
}

type rawEnv struct {
	Name        string   `json:"name"`
	Production  bool     `json:"production"`
	Approvers   []string `json:"approvers"`
	Permissions struct {
		Deploy    []string `json:"deploy"`
		Approve   []string `json:"approve"`
		Rollback  []string `json:"rollback"`
		Configure []string `json:"configure"`
	} `json:"permissions"`
	Controls         []string `json:"controls"`
	VerifiedIdentity *bool    `json:"verified_identity"`
}

// configControls are the controls the configuration itself provides the
// parameters of, so an environment may list them without the policy
// enabling them: REL-ENV-001 (the environments' permissions) and
// REL-WINDOW-001 (their windows and freezes).
var configControls = []string{"REL-ENV-001", "REL-WINDOW-001"}

// knownControls returns the IDs of policy's built-in controls and of the
// gate's own.
func knownControls() map[string]policy.Meta {
	known := map[string]policy.Meta{}
	for _, c := range policy.Default().Controls {
		known[c.Meta().ID] = c.Meta()
	}
	known["REL-GATE-001"] = policy.Meta{ID: "REL-GATE-001", Title: "The promotion decision is bound to the record or manifest promoted", Section: "§1.12.3.5, §1.31.3.3"}
	return known
}

// check applies the rules to what decoded and builds the Config.
func (l *loader) check(raw *rawConfig) *Config {
	cfg := &Config{Version: raw.Version, File: l.file, People: raw.People}
	l.keys = map[string][]KeyInfo{}

	cfg.Components = l.components(raw.Components)
	cfg.Changelog = l.changelog(raw)
	cfg.Trust = Trust{
		Tags:        l.keySet(raw.Trust.Tags, "tags"),
		Provenance:  l.keySet(raw.Trust.Provenance, "provenance"),
		Manifests:   l.keySet(raw.Trust.Manifests, "manifests"),
		Checkpoints: l.keySet(raw.Trust.Checkpoints, "checkpoints"),
	}
	cfg.Policy = l.policyRef()
	cfg.Environments = l.environments(raw.Environments, cfg.Policy)
	l.people(raw.People)
	cfg.Exceptions = l.exceptions(raw.Exceptions.MaxLifetime)
	if n := countSet(raw.Stores.Store, raw.Stores.GitStore, raw.Stores.OCIStore); n > 1 {
		if raw.Stores.OCIStore == "" {
			l.add([]string{"stores"}, "stores: give store or git_store, not both")
		} else {
			l.add([]string{"stores"}, "stores: give one of store, git_store and oci_store")
		}
	}
	cfg.Stores = Stores{Store: l.abs(raw.Stores.Store), GitStore: l.abs(raw.Stores.GitStore), OCIStore: raw.Stores.OCIStore}
	cfg.Forge = l.forge(raw.Forge.Kind, raw.Forge.URL, raw.Forge.Repository, raw.Forge.Base)
	cfg.Identity.Issuers, cfg.jwks, cfg.jwksKeys = l.issuers(raw.Identity.Issuers)
	l.verifiedIdentity(raw.Environments, cfg)
	cfg.keys = l.keys
	return cfg
}

// verifiedClaims are the claims the verifier checks itself: a claims
// constraint on them says nothing more (issuer and audience say it).
var verifiedClaims = []string{"iss", "aud", "exp", "nbf", "iat"}

// issuers checks identity.issuers and reads their pinned keys.
func (l *loader) issuers(raws []rawIssuer) ([]Issuer, map[string][]byte, map[string][]idtoken.Key) {
	var out []Issuer
	jwks := map[string][]byte{}
	jwksKeys := map[string][]idtoken.Key{}
	seen := map[string]bool{}
	for i, r := range raws {
		at := func(keys ...string) []string {
			return append([]string{"identity", "issuers", strconv.Itoa(i)}, keys...)
		}
		if seen[r.Issuer] {
			l.add(at("issuer"), "identity.issuers[%d]: issuer %q is listed twice", i, r.Issuer)
		}
		seen[r.Issuer] = true
		is := Issuer{Issuer: r.Issuer, Audience: r.Audience, NameClaim: r.NameClaim}
		if r.JWKS != "" {
			is.JWKS = l.abs(r.JWKS)
			if data, err := readRegular(is.JWKS); err != nil {
				l.add(at("jwks"), "identity.issuers[%d].jwks %s: %v", i, r.JWKS, err)
			} else if keys, err := idtoken.ParseKeySet(data); err != nil {
				l.add(at("jwks"), "identity.issuers[%d].jwks %s: %s", i, r.JWKS, strings.TrimPrefix(err.Error(), idtoken.ErrKeys.Error()+": "))
			} else {
				jwks[is.JWKS], jwksKeys[is.JWKS] = data, keys
			}
		}
		for _, claim := range sortedKeys(r.Claims) {
			if slices.Contains(verifiedClaims, claim) {
				l.add(at("claims", claim), "identity.issuers[%d].claims: %s is checked by the verifier itself: give issuer and audience", i, claim)
				continue
			}
			var values []string
			switch v := r.Claims[claim].(type) {
			case string:
				values = []string{v}
			case []any:
				for _, x := range v {
					if s, ok := x.(string); ok {
						values = append(values, s)
					}
				}
			}
			if len(values) == 0 {
				continue // the schema reported it
			}
			l.wildcardClaim(i, claim, r.Claims[claim], at)
			if is.Claims == nil {
				is.Claims = map[string][]string{}
			}
			is.Claims[claim] = values
		}
		if len(r.Claims) == 0 {
			// An issuer such as GitHub's serves tokens to every repository
			// on it, with any audience a job asks for: without a required
			// claim a token from someone else's repository would pass.
			l.add(at("issuer"), "identity.issuers[%d]: claims is required: name what every token must say (repository, ref or sub), since %s may also issue tokens to other repositories", i, r.Issuer)
		}
		out = append(out, is)
	}
	return out, jwks, jwksKeys
}

// wildcardClaim refuses a value of the claims of issuer i that is made of
// nothing but * and white space: it matches any token's claim, so the
// claim would narrow nothing down while passing the "claims is required"
// rule. raw is the claim's value as decoded: a string or a list.
func (l *loader) wildcardClaim(i int, claim string, raw any, at func(keys ...string) []string) {
	check := func(v string, path []string) {
		if v == "" || strings.TrimSpace(strings.ReplaceAll(v, "*", "")) != "" {
			return // "" is the schema's to report (minLength)
		}
		what := "a value of only *"
		if !strings.Contains(v, "*") {
			what = "a blank value"
		}
		l.add(path, "identity.issuers[%d].claims.%s: %s constrains nothing: name the %s every token must carry", i, safe(claim), what, safe(claim))
	}
	switch v := raw.(type) {
	case string:
		check(v, at("claims", claim))
	case []any:
		for j, x := range v {
			if s, ok := x.(string); ok {
				check(s, at("claims", claim, strconv.Itoa(j)))
			}
		}
	}
}

// verifiedIdentity sets each environment's VerifiedIdentity: as the file
// says, else true for production when issuers are configured. True
// without issuers is a problem: no token could satisfy it.
func (l *loader) verifiedIdentity(raws []rawEnv, cfg *Config) {
	for i := range cfg.Environments {
		e := &cfg.Environments[i]
		e.VerifiedIdentity = e.Production && len(cfg.Identity.Issuers) > 0
		if i >= len(raws) || raws[i].VerifiedIdentity == nil {
			continue
		}
		path := []string{"environments", strconv.Itoa(i), "verified_identity"}
		if n := nodeAt(l.root, path); n == nil || n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			continue // the schema reported it
		}
		e.VerifiedIdentity = *raws[i].VerifiedIdentity
		if e.VerifiedIdentity && len(cfg.Identity.Issuers) == 0 {
			l.add(path, "environment %q: verified_identity needs identity.issuers: name the CI systems whose OIDC tokens identify who acts", e.Name)
		}
	}
}

// abs resolves p against the directory of the file.
func (l *loader) abs(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(l.base, filepath.FromSlash(p))
}

func (l *loader) components(raws []rawComponent) []Component {
	var out []Component
	names := map[string]bool{}
	prefixes := map[string]int{}
	for i, r := range raws {
		at := func(key string) []string {
			p := []string{"components", strconv.Itoa(i)}
			if key != "" {
				p = append(p, key)
			}
			return p
		}
		c := Component{Name: r.Name, Path: r.Path, Scheme: r.Scheme, ZeroMajor: r.ZeroMajor, Channels: r.Channels,
			InitialVersion: r.InitialVersion, ReleaseBranches: r.ReleaseBranches, HotfixBranches: r.HotfixBranches,
			ChangelogFile: r.ChangelogFile}
		for j, f := range r.VersionFiles {
			if !filepath.IsLocal(filepath.FromSlash(f)) {
				l.add(append(at("version_files"), strconv.Itoa(j)), "components[%d].version_files[%d] %q: want a file inside the repository", i, j, f)
				continue
			}
			c.VersionFiles = append(c.VersionFiles, path.Clean(f))
		}
		if r.ChangelogFile != "" && !filepath.IsLocal(filepath.FromSlash(r.ChangelogFile)) {
			l.add(at("changelog_file"), "components[%d].changelog_file %q: want a file inside the repository", i, r.ChangelogFile)
		}
		if names[r.Name] {
			l.add(at("name"), "component %q is defined twice", r.Name)
		}
		names[r.Name] = true
		switch {
		case r.TagPrefix != nil:
			c.TagPrefix = *r.TagPrefix
		case len(raws) == 1:
			c.TagPrefix = "v"
		default:
			c.TagPrefix = r.Name + "/v"
		}
		if j, dup := prefixes[c.TagPrefix]; dup {
			l.add(at("tag_prefix"), "components %q and %q both tag %sX.Y.Z: give each its own tag_prefix", raws[j].Name, r.Name, c.TagPrefix)
		}
		prefixes[c.TagPrefix] = i
		if c.Scheme == "" {
			c.Scheme = "semver"
		}
		if c.ZeroMajor == "" {
			c.ZeroMajor = "pre-major"
		}
		if c.InitialVersion == "" {
			c.InitialVersion = "0.1.0"
		} else if _, err := semver.Parse(c.InitialVersion); err != nil {
			l.add(at("initial_version"), "components[%d].initial_version: %v", i, err)
		}
		if r.Path != "" {
			if !filepath.IsLocal(filepath.FromSlash(r.Path)) && r.Path != "." {
				l.add(at("path"), "components[%d].path %q: want a directory inside the repository", i, r.Path)
			} else if fi, err := os.Stat(l.abs(r.Path)); err != nil || !fi.IsDir() {
				l.add(at("path"), "components[%d].path %q: no such directory", i, r.Path)
			}
		}
		for _, key := range []string{"release_branches", "hotfix_branches"} {
			pats := r.ReleaseBranches
			if key == "hotfix_branches" {
				pats = r.HotfixBranches
			}
			for j, p := range pats {
				if _, err := regexp.Compile(p); err != nil {
					l.add(append(at(key), strconv.Itoa(j)), "components[%d].%s: pattern %q: %v", i, key, p, err)
				}
			}
		}
		out = append(out, c)
	}
	return out
}

var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

func (l *loader) changelog(raw *rawConfig) Changelog {
	r := raw.Changelog
	var c Changelog
	types := map[string]bool{}
	for i, s := range r.Sections {
		if types[s.Type] {
			l.add([]string{"changelog", "sections", strconv.Itoa(i), "type"}, "changelog.sections[%d]: type %q has two sections", i, s.Type)
		}
		types[s.Type] = true
		c.Sections = append(c.Sections, Section{Type: s.Type, Title: s.Title, Hidden: s.Hidden})
	}
	c.TicketPattern = r.TicketPattern
	if r.TicketPattern != "" {
		if _, err := regexp.Compile(r.TicketPattern); err != nil {
			l.add([]string{"changelog", "ticket_pattern"}, "changelog.ticket_pattern: %v", err)
		}
	}
	c.Links = Links{Commit: r.Links.Commit, PR: r.Links.PR, Ticket: r.Links.Ticket, Compare: r.Links.Compare}
	for _, t := range []struct {
		key, tmpl string
		allowed   []string
	}{
		{"commit", c.Links.Commit, []string{"{hash}"}},
		{"pr", c.Links.PR, []string{"{pr}"}},
		{"ticket", c.Links.Ticket, []string{"{ticket}"}},
		{"compare", c.Links.Compare, []string{"{from}", "{to}"}},
	} {
		for _, ph := range placeholderRE.FindAllString(t.tmpl, -1) {
			if !slices.Contains(t.allowed, ph) {
				l.add([]string{"changelog", "links", t.key}, "changelog.links.%s: placeholder %s is not one of %s", t.key, ph, strings.Join(t.allowed, ", "))
			}
		}
	}
	return c
}

// keySet checks and resolves the key files of trust.<name>, and reads the
// keys they hold.
func (l *loader) keySet(r rawKeySet, name string) KeySet {
	at := []string{"trust", name}
	if r.AllowedSigners != "" && r.Keyring != "" {
		l.add(at, "trust.%s: give allowed_signers or keyring, not both", name)
	}
	k := KeySet{AllowedSigners: l.abs(r.AllowedSigners), Keyring: l.abs(r.Keyring)}
	if k.AllowedSigners != "" {
		path := append(slices.Clone(at), "allowed_signers")
		if data, err := readRegular(k.AllowedSigners); err != nil {
			l.add(path, "trust.%s.allowed_signers %s: %v", name, r.AllowedSigners, err)
		} else if signers, err := signature.ParseAllowedSigners(data); err != nil {
			l.add(path, "trust.%s.allowed_signers %s: %v", name, r.AllowedSigners, err)
		} else if len(signers) == 0 {
			l.add(path, "trust.%s.allowed_signers %s: no key", name, r.AllowedSigners)
		} else {
			var infos []KeyInfo
			for _, s := range signers {
				sum := sha256.Sum256(s.Key.Marshal())
				infos = append(infos, KeyInfo{
					Fingerprint: "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:]),
					Type:        s.Key.Type(),
					Principals:  slices.Clone(s.Principals),
					Namespaces:  slices.Clone(s.Namespaces),
				})
			}
			l.keys[k.AllowedSigners] = infos
		}
	}
	if k.Keyring != "" {
		path := append(slices.Clone(at), "keyring")
		if data, err := readRegular(k.Keyring); err != nil {
			l.add(path, "trust.%s.keyring %s: %v", name, r.Keyring, err)
		} else if _, err := signature.NewOpenPGPVerifier(bytes.NewReader(data)); err != nil {
			l.add(path, "trust.%s.keyring %s: %v", name, r.Keyring, err)
		}
	}
	for i, p := range r.Keys {
		abs := l.abs(p)
		k.Keys = append(k.Keys, abs)
		path := append(slices.Clone(at), "keys", strconv.Itoa(i))
		if data, err := readRegular(abs); err != nil {
			l.add(path, "trust.%s.keys[%d] %s: %v", name, i, p, err)
		} else if v, err := signature.ParsePublicKeyPEM(data); err != nil {
			l.add(path, "trust.%s.keys[%d] %s: %v", name, i, p, err)
		} else {
			l.keys[abs] = []KeyInfo{{Fingerprint: v.KeyID(), Type: "public key (PEM)"}}
		}
	}
	return k
}

// policyRef reads the policy the configuration names, with
// policy.ReadConfig: the file, or the inline mapping cut out of the
// configuration with its line numbers kept.
func (l *loader) policyRef() PolicyRef {
	n := mapValue(l.root, "policy")
	if n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null") {
		return PolicyRef{}
	}
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Value != "":
		ref := PolicyRef{File: l.abs(n.Value)}
		data, err := readRegular(ref.File)
		if err != nil {
			l.addAt(n, "/policy", fmt.Sprintf("policy file %s: %v", n.Value, err))
			return ref
		}
		p, err := policy.ReadConfig(bytes.NewReader(data))
		if err != nil {
			l.addAt(n, "/policy", fmt.Sprintf("policy file %s: %v", n.Value, policyMsg(err)))
			return ref
		}
		ref.Policy = &p
		return ref
	case n.Kind == yaml.MappingNode:
		ref := PolicyRef{Inline: true}
		p, err := policy.ReadConfig(strings.NewReader(l.inline(n)))
		if err != nil {
			at := n
			var ce *policy.ConfigError
			if errors.As(err, &ce) && ce.Line > 0 {
				at = firstOnLine(n, ce.Line)
				if at == nil {
					at = &yaml.Node{Line: ce.Line, Column: 1}
				}
			}
			msg := err.Error()
			if ce != nil {
				msg = ce.Msg
			}
			l.addAt(at, "/policy", "policy: "+msg)
			return ref
		}
		ref.Policy = &p
		return ref
	}
	return PolicyRef{} // the schema reported it
}

// policyMsg returns a policy.ReadConfig error without its prefix and line
// (the problem has the line).
func policyMsg(err error) string {
	var ce *policy.ConfigError
	if errors.As(err, &ce) {
		if ce.Line > 0 {
			return fmt.Sprintf("line %d: %s", ce.Line, ce.Msg)
		}
		return ce.Msg
	}
	return err.Error()
}

// inline returns the text of the mapping n, the value of the top-level key
// policy, at the same lines as in the file: blank lines before it, the text
// before its first column blanked, up to the next top-level key.
func (l *loader) inline(n *yaml.Node) string {
	lines := strings.SplitAfter(string(l.data), "\n")
	end := len(lines) // exclusive, 0-based
	for i := 0; i+1 < len(l.root.Content); i += 2 {
		if k := l.root.Content[i]; k.Line > n.Line && k.Line-1 < end {
			end = k.Line - 1
		}
	}
	var b strings.Builder
	for i := 0; i < n.Line-1 && i < len(lines); i++ {
		b.WriteByte('\n')
	}
	for i := n.Line - 1; i < end; i++ {
		line := lines[i]
		if i == n.Line-1 {
			r := []rune(line)
			for j := 0; j < n.Column-1 && j < len(r); j++ {
				r[j] = ' '
			}
			line = string(r)
		}
		b.WriteString(line)
	}
	return b.String()
}

// firstOnLine returns the first node of the tree n on line, or nil.
func firstOnLine(n *yaml.Node, line int) *yaml.Node {
	if n.Line == line {
		return n
	}
	for _, c := range n.Content {
		if f := firstOnLine(c, line); f != nil {
			return f
		}
	}
	return nil
}

func (l *loader) environments(raws []rawEnv, pol PolicyRef) []Environment {
	known := knownControls()
	enabled := pol.ControlIDs()
	seen := map[string]bool{}
	var out []Environment
	for i, r := range raws {
		at := func(keys ...string) []string { return append([]string{"environments", strconv.Itoa(i)}, keys...) }
		// Production only when the file says true: a value of the wrong type
		// is the schema's problem, not a production environment.
		prod := nodeAt(l.root, at("production"))
		r.Production = prod != nil && prod.Kind == yaml.ScalarNode && prod.ShortTag() == "!!bool" && r.Production
		e := Environment{Name: r.Name, Production: r.Production, Controls: r.Controls}
		if seen[r.Name] {
			l.add(at("name"), "environment %q is defined twice", r.Name)
		}
		seen[r.Name] = true
		e.Permissions = Permissions{Deploy: r.Permissions.Deploy, Approve: r.Permissions.Approve,
			Rollback: r.Permissions.Rollback, Configure: r.Permissions.Configure}
		switch {
		case r.Approvers != nil && r.Permissions.Approve != nil:
			l.add(at("approvers"), "environment %q: approvers is short for permissions.approve: give one of them", r.Name)
		case r.Approvers != nil:
			e.Permissions.Approve = r.Approvers
		}
		e.Approvers = e.Permissions.Approve
		if r.Production && len(e.Approvers) == 0 {
			l.add(at("name"), "environment %q is production and names no approvers: list who may approve there (approvers: [...])", r.Name)
		}
		l.identities(at("approvers"), r.Approvers)
		l.identities(at("permissions", "deploy"), r.Permissions.Deploy)
		l.identities(at("permissions", "approve"), r.Permissions.Approve)
		l.identities(at("permissions", "rollback"), r.Permissions.Rollback)
		l.identities(at("permissions", "configure"), r.Permissions.Configure)

		// Windows and freezes are read by the policy's own reader, as
		// REL-WINDOW-001 parameters.
		envNode := nodeAt(l.root, at())
		winNode, frzNode := mapValue(envNode, "windows"), mapValue(envNode, "freezes")
		if winNode != nil || frzNode != nil {
			e.Windows, e.Freezes = l.windows(r.Name, winNode, frzNode, at)
		}
		for j, id := range r.Controls {
			if !controlIDRE.MatchString(id) {
				continue // the schema reported it
			}
			if _, ok := known[id]; !ok {
				l.add(at("controls", strconv.Itoa(j)), "environment %q: unknown control %s", r.Name, id)
				continue
			}
			provided := slices.Contains(configControls, id) && (id != "REL-WINDOW-001" || len(e.Windows) > 0 || len(e.Freezes) > 0)
			if pol.Policy != nil && !provided && !slices.Contains(enabled, id) {
				l.add(at("controls", strconv.Itoa(j)), "environment %q: control %s gates it but the policy does not enable it", r.Name, id)
			}
		}
		out = append(out, e)
	}
	return out
}

func (l *loader) windows(env string, win, frz *yaml.Node, at func(...string) []string) ([]Window, []Freeze) {
	params := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if win != nil {
		params.Content = append(params.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "windows"}, win)
	}
	if frz != nil {
		params.Content = append(params.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "freezes"}, frz)
	}
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "controls"},
		{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "REL-WINDOW-001"}, params,
		}},
	}}
	text, err := yaml.Marshal(doc)
	if err != nil {
		l.add(at("windows"), "environment %q: windows: %v", env, err)
		return nil, nil
	}
	p, err := policy.ReadConfig(bytes.NewReader(text))
	if err != nil {
		key := "windows"
		if win == nil {
			key = "freezes"
		}
		var ce *policy.ConfigError
		msg := err.Error()
		if errors.As(err, &ce) {
			msg = ce.Msg
		}
		l.add(at(key), "environment %q: %s", env, msg)
		return nil, nil
	}
	for _, c := range p.Controls {
		if cw, ok := c.(policy.ChangeWindow); ok {
			return cw.Windows, cw.Freezes
		}
	}
	return nil, nil
}

// identities checks the identities of a list.
func (l *loader) identities(path []string, ids []string) {
	for i, id := range ids {
		if msg := badIdentity(id); msg != "" {
			l.add(append(slices.Clone(path), strconv.Itoa(i)), "%s[%d]: identity %q: %s", human(path), i, id, msg)
		}
	}
}

func (l *loader) people(people map[string][]string) {
	owner := map[string]string{}
	persons := make([]string, 0, len(people))
	for p := range people {
		persons = append(persons, p)
	}
	slices.Sort(persons)
	key := func(id string) string {
		if n, err := identity.Normalize(id); err == nil {
			return n
		}
		return strings.ToLower(strings.TrimSpace(id))
	}
	for _, p := range persons {
		owner[key(p)] = p
	}
	for _, p := range persons {
		path := []string{"people", p}
		if msg := badIdentity(p); msg != "" {
			l.add(path, "people: person %q: %s", p, msg)
		}
		l.identities(path, people[p])
		for i, a := range people[p] {
			k := key(a)
			if o, ok := owner[k]; ok && o != p {
				l.add(append(slices.Clone(path), strconv.Itoa(i)), "people: %q is listed for both %q and %q", a, o, p)
				continue
			}
			owner[k] = p
		}
	}
}

var controlIDRE = regexp.MustCompile(`^REL-[A-Z]+-[0-9]{3}$`)

var lifetimeRE = regexp.MustCompile(`^([1-9][0-9]{0,2})d$`)

func (l *loader) exceptions(s string) ExceptionRules {
	if s == "" {
		return ExceptionRules{MaxLifetime: DefaultMaxExceptionLifetime, Default: true}
	}
	m := lifetimeRE.FindStringSubmatch(s)
	if m == nil {
		return ExceptionRules{MaxLifetime: DefaultMaxExceptionLifetime, Default: true} // the schema reported it
	}
	days, _ := strconv.Atoi(m[1])
	d := time.Duration(days) * 24 * time.Hour
	if d > LimitMaxExceptionLifetime {
		l.add([]string{"exceptions", "max_lifetime"}, "exceptions.max_lifetime %s: at most %dd", s, int(LimitMaxExceptionLifetime/(24*time.Hour)))
	}
	return ExceptionRules{MaxLifetime: d}
}

// countSet returns how many of ss are not empty.
func countSet(ss ...string) int {
	n := 0
	for _, s := range ss {
		if s != "" {
			n++
		}
	}
	return n
}

// forge reads the forge section: kind, the API's URL (plain HTTP only to
// a loopback address), the repository and the base branch.
func (l *loader) forge(kind, rawURL, repo, base string) Forge {
	if kind == "" {
		return Forge{}
	}
	f := Forge{Kind: kind, URL: rawURL, Repository: repo, Base: base}
	if f.Base == "" {
		f.Base = "main"
	}
	switch {
	case f.URL == "" && kind == "github":
		f.URL = "https://api.github.com"
	case f.URL == "" && kind == "gitlab":
		f.URL = "https://gitlab.com"
	case f.URL == "":
		l.add([]string{"forge", "url"}, "forge.url: a %s forge needs its URL", kind)
		return f
	}
	u, err := url.Parse(f.URL)
	switch {
	case err == nil && u.User != nil:
		// Never echo a credential back.
		l.add([]string{"forge", "url"}, "forge.url %q: credentials do not belong in the configuration: the token comes from the environment", u.Redacted())
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.Fragment != "":
		l.add([]string{"forge", "url"}, "forge.url: want https://host[/path], without credentials, query or fragment")
	case u.Scheme == "http" && !loopbackHost(u.Hostname()):
		l.add([]string{"forge", "url"}, "forge.url %q: plain http only to 127.0.0.1, ::1 or localhost; use https", rawURL)
	}
	return f
}

func loopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
