package versionfile

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// A Kind is a kind of version file.
type Kind string

// The kinds of version file the package edits.
const (
	PackageJSON Kind = "package.json"      // npm: the top-level "version"
	PackageLock Kind = "package-lock.json" // npm: "version", and packages[""].version in lockfile v2 and v3
	Composer    Kind = "composer.json"     // Composer: the top-level "version"
	HelmChart   Kind = "Chart.yaml"        // Helm: the top-level version (appVersion is the application's, left alone)
	Maven       Kind = "pom.xml"           // Maven: project/version (not parent/version, not a dependency's)
	Cargo       Kind = "Cargo.toml"        // Cargo: package.version
	PyProject   Kind = "pyproject.toml"    // PEP 621 project.version and tool.poetry.version
	GoSource    Kind = "go"                // Go: const (or var) Version = "..." at the top level
	Marked      Kind = "marker"            // any file: versions on lines marked x-releasekit-version
)

// Kinds lists every Kind, in the order of the constants.
func Kinds() []Kind {
	return []Kind{PackageJSON, PackageLock, Composer, HelmChart, Maven, Cargo, PyProject, GoSource, Marked}
}

// KindOf returns the Kind of a file by its name: the base name for the
// manifests ("sub/package.json" is PackageJSON), GoSource for a ".go"
// file. Any other file is edited by marker: ok is false and the Kind is
// Marked.
func KindOf(name string) (k Kind, ok bool) {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	for _, k := range []Kind{PackageJSON, PackageLock, Composer, HelmChart, Maven, Cargo, PyProject} {
		if base == string(k) {
			return k, true
		}
	}
	if strings.HasSuffix(base, ".go") {
		return GoSource, true
	}
	return Marked, false
}

// Errors of [Find] and [Update], each wrapped in an *[Error].
var (
	// ErrSyntax: the file does not parse as its kind.
	ErrSyntax = errors.New("versionfile: syntax error")
	// ErrNoVersion: the file has no version this package may edit (a
	// pom.xml that inherits its parent's, a Cargo.toml with
	// version.workspace, a pyproject.toml with a dynamic version, a
	// composer.json without "version", a file without a marker).
	ErrNoVersion = errors.New("versionfile: no version")
	// ErrAmbiguous: the version is given twice (a duplicate key), the
	// places disagree, a marked line holds two different versions, or
	// a marked line's version may be followed by a file name (its
	// pre-release or build ends in a file extension, see [Find]).
	ErrAmbiguous = errors.New("versionfile: version given twice")
	// ErrUnsupported: the version is written in a form that cannot be
	// replaced byte for byte (escapes, a multi-line or folded string, a
	// number instead of a string).
	ErrUnsupported = errors.New("versionfile: version not editable in place")
	// ErrInvalidVersion: the version asked for is not a version string
	// (letters, digits, ".", "-" and "+", starting with a letter or a
	// digit, at most 128 bytes), so it could break the file's syntax.
	ErrInvalidVersion = errors.New("versionfile: invalid version")
)

// An Error says what is wrong with a version file: its Kind, the Line
// (1-based, 0 when unknown), a Reason and one of the package's errors.
type Error struct {
	Kind   Kind
	Line   int
	Reason string
	Err    error
}

// Error returns "versionfile: KIND line N: REASON".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("versionfile: %s line %d: %s", e.Kind, e.Line, e.Reason)
	}
	return fmt.Sprintf("versionfile: %s: %s", e.Kind, e.Reason)
}

// Unwrap returns the package error.
func (e *Error) Unwrap() error { return e.Err }

// A Span is one place a file holds the version: the bytes [Start, End) of
// the version itself, without quotes, and its Value.
type Span struct {
	Start, End int
	Line       int
	Value      string
}

// An Option changes what [Find] and [Update] look for.
type Option func(*options)

type options struct {
	ident  string
	marker string
}

// WithIdent names the Go identifier of the version constant or variable
// (default "Version").
func WithIdent(name string) Option { return func(o *options) { o.ident = name } }

// WithMarker sets the marker of [Marked] files (default
// "x-releasekit-version"); see [Find].
func WithMarker(m string) Option { return func(o *options) { o.marker = m } }

// DefaultMarker marks the lines of a [Marked] file whose version is
// updated.
const DefaultMarker = "x-releasekit-version"

var versionRE = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z.+-]{0,127}$`)

// Find returns every place data, a file of kind k, holds its version, in
// file order. A file holding it in more than one place (package-lock.json
// v2 and v3, pyproject.toml with [project] and [tool.poetry], a Marked
// file with several marked lines) has a span for each; when the places
// disagree, it is an *[Error] wrapping ErrAmbiguous. Each span's bytes
// are exactly its Value: a version written otherwise (white space other
// than XML's inside a pom's version, a YAML file breaking lines other
// than by LF or CRLF) is refused with ErrUnsupported. A JSON file nested
// deeper than 512 is ErrUnsupported.
//
// Where the version is, by kind:
//   - PackageJSON and Composer: the top-level "version" string;
//   - PackageLock: the top-level "version" and, when present,
//     packages[""].version;
//   - HelmChart: the top-level version of Chart.yaml;
//   - Maven: the version element that is a direct child of the project
//     root (project/version);
//   - Cargo: version in [package]; PyProject: version in [project] and
//     in [tool.poetry], each that is set (they must agree);
//   - GoSource: the string constant or variable named Version (or
//     [WithIdent]) declared at the top level;
//   - Marked: on each line holding the marker ("x-releasekit-version", or
//     [WithMarker]), the version on the line (1.2.3, v1.2.3, 2026.02.1,
//     2026.02.0.1, with any pre-release and build); between a line holding
//     "x-releasekit-start-version" and one holding "x-releasekit-end",
//     the version of every line that has one. Such a line must carry
//     one version; it may write it several times, and each is a span
//     ("curl -LO https://dl.example/v1.2.0/app-1.2.0.tgz" has two, and
//     [Update] edits both). A line with two different version-like
//     strings (an IPv4 address such as 10.0.0.1 reads as a version, and
//     so does a base image's tag in "FROM node:20.11.1 # app 1.2.0
//     x-releasekit-version") is ErrAmbiguous, and nothing is edited: move
//     the other version to a line of its own. So is a version whose
//     pre-release or build ends in a well-known file extension (its last
//     dot-separated identifier, in any case, is tar, gz, tgz, zip, xz,
//     bz2, deb, rpm, exe, dmg, msi, jar, whl, apk, pkg, sha256, sig or
//     asc): "app-1.2.0-linux-amd64.tar.gz" reads as the legal SemVer
//     1.2.0-linux-amd64.tar.gz, and editing it would delete the file
//     name. Write such a version where no file name follows it, or
//     follow it by a character other than "-", "." or "+"
//     (app-1.2.0_linux_amd64.tar.gz);
//     a caller that knows the version the file should hold compares it
//     with [Version] (release PRs do). For the same reason, a marked
//     version directly followed by a file extension ("app-1.2.0.tgz")
//     cannot be set to a pre-release: "app-1.3.0-rc.1.tgz" does not read
//     back, and Update refuses it.
func Find(k Kind, data []byte, opts ...Option) ([]Span, error) {
	o := options{ident: "Version", marker: DefaultMarker}
	for _, f := range opts {
		f(&o)
	}
	var spans []Span
	var err error
	switch k {
	case PackageJSON, Composer:
		spans, err = findJSON(k, data, [][]string{{"version"}})
	case PackageLock:
		spans, err = findJSON(k, data, [][]string{{"version"}, {"packages", "", "version"}})
	case HelmChart:
		spans, err = findYAML(k, data)
	case Maven:
		spans, err = findXML(k, data)
	case Cargo:
		spans, err = findTOML(k, data, [][]string{{"package", "version"}})
	case PyProject:
		spans, err = findTOML(k, data, [][]string{{"project", "version"}, {"tool", "poetry", "version"}})
	case GoSource:
		spans, err = findGo(k, data, o.ident)
	case Marked:
		spans, err = findMarked(k, data, o.marker)
	default:
		return nil, &Error{Kind: k, Reason: "unknown kind of version file", Err: ErrUnsupported}
	}
	if err != nil {
		return nil, err
	}
	if len(spans) == 0 {
		return nil, &Error{Kind: k, Reason: "no version found", Err: ErrNoVersion}
	}
	// A span is the version's bytes, or Find refuses the file.
	for _, s := range spans {
		if s.Start < 0 || s.End > len(data) || s.Start > s.End || string(data[s.Start:s.End]) != s.Value {
			return nil, &Error{Kind: k, Line: s.Line, Reason: "the version is not written as it reads", Err: ErrUnsupported}
		}
	}
	for _, s := range spans[1:] {
		if s.Value != spans[0].Value {
			return nil, &Error{Kind: k, Line: s.Line, Reason: fmt.Sprintf("version %q here, %q at line %d", s.Value, spans[0].Value, spans[0].Line), Err: ErrAmbiguous}
		}
	}
	return spans, nil
}

// Version returns the version data holds ([Find]).
func Version(k Kind, data []byte, opts ...Option) (string, error) {
	spans, err := Find(k, data, opts...)
	if err != nil {
		return "", err
	}
	return spans[0].Value, nil
}

// Update returns a copy of data with every version [Find] finds replaced
// by version, and every other byte as it was: comments, key order,
// indentation, tabs, line endings (CRLF stays CRLF), a missing final
// newline. It then finds the version again in the result and checks it is
// version at the same places, every one of them (a marked line writing
// the version twice has both edited and both read back), so an edit that
// would change the file's meaning is never returned. data is not
// modified.
//
// A version that is not a plain version string is an *[Error] wrapping
// ErrInvalidVersion; the errors of Find are returned as they are.
func Update(k Kind, data []byte, version string, opts ...Option) ([]byte, error) {
	if !versionRE.MatchString(version) {
		return nil, &Error{Kind: k, Reason: fmt.Sprintf("%q is not a version string", version), Err: ErrInvalidVersion}
	}
	spans, err := Find(k, data, opts...)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.Grow(len(data) + len(spans)*len(version))
	last := 0
	for _, s := range spans {
		out.Write(data[last:s.Start])
		out.WriteString(version)
		last = s.End
	}
	out.Write(data[last:])
	got, err := Find(k, out.Bytes(), opts...)
	if err != nil {
		return nil, fmt.Errorf("versionfile: %s: the edited file does not read back: %w", k, err)
	}
	// Every span had the same value (Find), so the i-th moved by i times
	// the difference in length.
	shift := len(version) - len(spans[0].Value)
	same := len(got) == len(spans)
	for i := 0; same && i < len(got); i++ {
		same = got[i].Value == version && got[i].Start == spans[i].Start+i*shift
	}
	if !same {
		return nil, &Error{Kind: k, Reason: "the edited file does not read back with the new version", Err: ErrUnsupported}
	}
	return out.Bytes(), nil
}

// lineAt returns the 1-based line of offset off in data.
func lineAt(data []byte, off int) int {
	return bytes.Count(data[:min(off, len(data))], []byte{'\n'}) + 1
}
