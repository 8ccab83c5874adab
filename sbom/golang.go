package sbom

import (
	"bufio"
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/releasekit/releasekit/internal/boundedfile"
)

// FromBinary returns the SBOM of a built Go binary read from bin (size
// bytes), named name. It reads the build information the linker embedded
// (debug/buildinfo): metadata.component is the binary, an "application"
// with the SHA-256 and SHA-512 of its bytes, the main module's package URL
// and version, and the Go version and build settings as properties; each
// linked module is a "library" component with its version, package URL and
// the sum the build recorded. It returns ErrNotGoBinary when bin carries no
// Go build information and ErrUnsupportedSpecVersion.
func FromBinary(name string, bin io.ReaderAt, size int64, opts ...Option) (*Document, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("sbom for binary %s: %w", name, err)
	}
	info, err := buildinfo.Read(bin)
	if err != nil {
		return nil, fmt.Errorf("sbom for binary %s: %w: %v", name, ErrNotGoBinary, err)
	}
	s, err := SubjectOf(name, io.NewSectionReader(bin, 0, size))
	if err != nil {
		return nil, fmt.Errorf("sbom for binary %s: %w", name, err)
	}
	return fromBuildInfo(c, s, info), nil
}

// FromBinaryFile is FromBinary for the file at path, named by its base name.
// path must name a regular file: a FIFO, a device or a directory is refused
// at once instead of being waited on or read without end.
func FromBinaryFile(path string, opts ...Option) (*Document, error) {
	f, err := boundedfile.Open(path) // a regular file: a FIFO or device is refused, not waited on
	if err != nil {
		return nil, fmt.Errorf("sbom for binary: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("sbom for binary: %w", err)
	}
	return FromBinary(filepath.Base(path), f, st.Size(), opts...)
}

func fromBuildInfo(c config, s Subject, info *debug.BuildInfo) *Document {
	var mainPURL string
	if info.Main.Path != "" { // empty for binaries built outside module mode
		mainPURL = goPURL(info.Main.Path, info.Main.Version)
	}
	subj := &cdx.Component{
		BOMRef:     "artifact:" + s.Digest(),
		Type:       cdx.ComponentTypeApplication,
		Name:       s.Name,
		Version:    info.Main.Version,
		PackageURL: mainPURL,
		Hashes:     subjectHashes(s),
	}
	props := []cdx.Property{{Name: PropGoVersion, Value: info.GoVersion}}
	if info.Main.Path != "" {
		props = append(props, cdx.Property{Name: PropGoMain, Value: info.Main.Path})
	}
	if info.Path != "" && info.Path != info.Main.Path {
		props = append(props, cdx.Property{Name: PropGoSetting + "path", Value: info.Path})
	}
	for _, st := range info.Settings {
		props = append(props, cdx.Property{Name: PropGoSetting + st.Key, Value: st.Value})
	}
	sortProps(props)
	subj.Properties = &props
	docProps := []cdx.Property{
		{Name: PropSource, Value: "go build information (debug/buildinfo)"},
		{Name: PropPrecision, Value: "exact: the modules the Go linker recorded in the binary"},
	}
	bom := newBOM(c, subj, docProps)
	var comps []cdx.Component
	var refs []string
	for _, d := range info.Deps {
		var rep *replacement
		if d.Replace != nil {
			rep = &replacement{path: d.Replace.Path, version: d.Replace.Version, sum: d.Replace.Sum}
		}
		comp := linkedModule(d.Path, d.Version, d.Sum, rep)
		comps = append(comps, comp)
		refs = append(refs, comp.BOMRef)
	}
	if len(comps) > 0 {
		bom.Components = &comps
	}
	bom.Dependencies = &[]cdx.Dependency{{Ref: subj.BOMRef, Dependencies: &refs}}
	return finish(c, bom)
}

// goListModule is the part of `go list -m -json` output read here.
type goListModule struct {
	Path     string
	Version  string
	Main     bool
	Indirect bool
	Replace  *goListModule
	Sum      string
	Error    *struct{ Err string }
}

// FromModule returns the SBOM of the Go module in dir, without network.
// When a go command is available it runs `go list -m -json all` in dir
// (GOFLAGS=-mod=readonly, GOPROXY=off, GOWORK=off, GOTOOLCHAIN=local) and
// lists the module graph; otherwise, or when that fails (a module missing
// from the local cache), it reads go.mod and go.sum alone and says so in
// the metadata properties PropSource and PropPrecision: then it lists the
// requirements go.mod names, at the versions it names, and nothing more.
// metadata.component is the main module, without digests: bind it to a
// built artifact with WithSubject. It returns ErrNotGoModule when dir has
// no readable go.mod (go.mod and go.sum must be regular files of at most
// DefaultMaxSize bytes), ErrUnsupportedSpecVersion, and ctx's error.
func FromModule(ctx context.Context, dir string, opts ...Option) (*Document, error) {
	c, err := newConfig(opts)
	if err != nil {
		return nil, fmt.Errorf("sbom for module %s: %w", dir, err)
	}
	gomod, err := boundedfile.ReadFile(filepath.Join(dir, "go.mod"), DefaultMaxSize)
	if err != nil {
		return nil, fmt.Errorf("sbom for module %s: %w: %v", dir, ErrNotGoModule, err)
	}
	gosum, err := boundedfile.ReadFile(filepath.Join(dir, "go.sum"), DefaultMaxSize)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("sbom for module %s: %w", dir, err)
	}
	mf, err := parseGoMod(gomod)
	if err != nil {
		return nil, fmt.Errorf("sbom for module %s: %w", dir, err)
	}
	sums := parseGoSum(gosum)
	var reason string
	if !c.noGo {
		mods, err := goList(ctx, c, dir)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("sbom for module %s: %w", dir, ctx.Err())
		}
		if err == nil {
			return moduleDoc(c, mf, mods, sums, "go list -m -json all (offline)",
				"module graph: every module `go list -m all` selects, including modules no package of the main module links"), nil
		}
		reason = err.Error()
	} else {
		reason = "go command not used"
	}
	doc := moduleDoc(c, mf, mf.requires(), sums, "go.mod and go.sum only",
		"reduced: the requirements go.mod lists, at the versions it lists; modules only the full module graph would add are absent")
	if reason != "" {
		props := *doc.bom.Metadata.Properties
		props = append(props, cdx.Property{Name: PropFallback, Value: reason})
		sortProps(props)
		doc.bom.Metadata.Properties = &props
	}
	return doc, nil
}

func goList(ctx context.Context, c config, dir string) ([]goListModule, error) {
	cmd := exec.CommandContext(ctx, c.goCmd, "list", "-m", "-json", "all")
	cmd.Dir = dir
	env := c.env
	if env == nil {
		env = cmd.Environ()
	}
	cmd.Env = append(slices.Clone(env), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		// The reason goes into the document: keep it free of where the
		// module happens to be checked out, so the bytes stay the same.
		if d := filepath.Clean(dir); filepath.IsAbs(d) && len(d) > 1 {
			msg = strings.ReplaceAll(msg, d, ".")
		}
		return nil, fmt.Errorf("go list: %v: %s", err, msg)
	}
	var mods []goListModule
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var m goListModule
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("go list: %v", err)
		}
		if m.Error != nil {
			return nil, fmt.Errorf("go list: %s: %s", m.Path, m.Error.Err)
		}
		mods = append(mods, m)
	}
	return mods, nil
}

func moduleDoc(c config, mf goMod, mods []goListModule, sums map[string]string, source, precision string) *Document {
	var mainPath, mainVersion string
	var comps []cdx.Component
	var refs []string
	for _, m := range mods {
		if m.Main {
			mainPath, mainVersion = m.Path, m.Version
			continue
		}
		sum := m.Sum
		if sum == "" {
			sum = sums[m.Path+" "+m.Version]
		}
		var rep *replacement
		if m.Replace != nil {
			rep = &replacement{path: m.Replace.Path, version: m.Replace.Version, sum: m.Replace.Sum}
			if rep.sum == "" && rep.version != "" {
				rep.sum = sums[rep.path+" "+rep.version]
			}
		}
		var props []cdx.Property
		if m.Indirect {
			props = append(props, cdx.Property{Name: PropIndirect, Value: "true"})
		}
		comp := linkedModule(m.Path, m.Version, sum, rep, props...)
		comps = append(comps, comp)
		refs = append(refs, comp.BOMRef)
	}
	if mainPath == "" {
		mainPath = mf.module
	}
	mainPURL := goPURL(mainPath, mainVersion)
	subj := &cdx.Component{BOMRef: mainPURL, Type: cdx.ComponentTypeApplication, Name: mainPath, Version: mainVersion, PackageURL: mainPURL}
	props := []cdx.Property{{Name: PropGoMain, Value: mainPath}}
	if mf.goVersion != "" {
		props = append(props, cdx.Property{Name: PropGoVersion, Value: "go" + mf.goVersion})
	}
	subj.Properties = &props
	bom := newBOM(c, subj, []cdx.Property{{Name: PropSource, Value: source}, {Name: PropPrecision, Value: precision}})
	if len(comps) > 0 {
		bom.Components = &comps
	}
	bom.Dependencies = &[]cdx.Dependency{{Ref: subj.BOMRef, Dependencies: &refs}}
	return finish(c, bom)
}

// goMod is the part of go.mod read here.
type goMod struct {
	module    string
	goVersion string
	reqs      []goListModule
	replace   map[string]goListModule // "path" or "path version" → replacement
}

func (mf goMod) requires() []goListModule {
	out := []goListModule{{Path: mf.module, Main: true}}
	for _, r := range mf.reqs {
		if rep, ok := mf.replace[r.Path+" "+r.Version]; ok {
			r.Replace = &rep
		} else if rep, ok := mf.replace[r.Path]; ok {
			r.Replace = &rep
		}
		out = append(out, r)
	}
	return out
}

// parseGoMod reads the module, go, require and replace directives of a
// go.mod file. It returns ErrNotGoModule for a file without a module line
// or with a line it cannot read.
func parseGoMod(data []byte) (goMod, error) {
	mf := goMod{replace: map[string]goListModule{}}
	var block string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		indirect := false
		if i := strings.Index(line, "//"); i >= 0 {
			indirect = strings.TrimSpace(line[i+2:]) == "indirect" || strings.HasPrefix(strings.TrimSpace(line[i+2:]), "indirect;")
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if block != "" {
			if f[0] == ")" {
				block = ""
				continue
			}
			if err := mf.directive(block, f, indirect); err != nil {
				return mf, fmt.Errorf("%w: go.mod:%d: %v", ErrNotGoModule, n, err)
			}
			continue
		}
		if len(f) == 2 && f[1] == "(" {
			block = f[0]
			continue
		}
		if err := mf.directive(f[0], f[1:], indirect); err != nil {
			return mf, fmt.Errorf("%w: go.mod:%d: %v", ErrNotGoModule, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return mf, fmt.Errorf("%w: %v", ErrNotGoModule, err)
	}
	if mf.module == "" {
		return mf, fmt.Errorf("%w: go.mod has no module directive", ErrNotGoModule)
	}
	return mf, nil
}

func (mf *goMod) directive(verb string, args []string, indirect bool) error {
	unq := func(s string) string { return strings.Trim(s, "\"`") }
	switch verb {
	case "module":
		if len(args) != 1 {
			return errors.New("bad module line")
		}
		mf.module = unq(args[0])
	case "go":
		if len(args) == 1 {
			mf.goVersion = args[0]
		}
	case "require":
		if len(args) != 2 {
			return errors.New("bad require line")
		}
		mf.reqs = append(mf.reqs, goListModule{Path: unq(args[0]), Version: unq(args[1]), Indirect: indirect})
	case "replace":
		i := slices.Index(args, "=>")
		if i < 1 || i > 2 || len(args)-i-1 < 1 || len(args)-i-1 > 2 {
			return errors.New("bad replace line")
		}
		key := unq(args[0])
		if i == 2 {
			key += " " + unq(args[1])
		}
		rep := goListModule{Path: unq(args[i+1])}
		if len(args)-i-1 == 2 {
			rep.Version = unq(args[i+2])
		}
		mf.replace[key] = rep
	}
	return nil // toolchain, exclude, retract, godebug, tool, ignore: not components
}

// parseGoSum maps "path version" to its h1: sum (go.mod-only lines are
// skipped).
func parseGoSum(data []byte) map[string]string {
	sums := map[string]string{}
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 || strings.HasSuffix(f[1], "/go.mod") {
			continue
		}
		sums[f[0]+" "+f[1]] = f[2]
	}
	return sums
}

// A replacement is the target of a replace directive: a module version, or a
// directory (no version, no sum; the build information records its version
// as "(devel)").
type replacement struct{ path, version, sum string }

// linkedModule is the component of module path@version, or of what replaced
// it: a module replacement is listed as itself (it is the code built), with
// PropGoReplaces naming the original; a directory replacement keeps the
// original path, without version or hash, with PropGoReplace naming the
// directory.
func linkedModule(path, version, sum string, rep *replacement, props ...cdx.Property) cdx.Component {
	switch {
	case rep == nil:
		return moduleComponent(path, version, sum, props...)
	case !isDirectoryPath(rep.path) && rep.version != "" && rep.version != "(devel)":
		props = append(props, cdx.Property{Name: PropGoReplaces, Value: path + "@" + version})
		return moduleComponent(rep.path, rep.version, rep.sum, props...)
	default:
		props = append(props, cdx.Property{Name: PropGoReplace, Value: rep.path})
		c := moduleComponent(path, "", "", props...)
		c.BOMRef = goPURL(path, "") + "#replaced-by-directory"
		return c
	}
}

// isDirectoryPath reports whether a replacement path is a file system path
// rather than a module path, as go.mod tells them apart: "./x", "../x",
// "/x", or a Windows drive or UNC path.
func isDirectoryPath(p string) bool {
	switch {
	case p == "." || p == "..",
		strings.HasPrefix(p, "./"), strings.HasPrefix(p, "../"), strings.HasPrefix(p, "/"),
		strings.HasPrefix(p, `.\`), strings.HasPrefix(p, `..\`), strings.HasPrefix(p, `\`):
		return true
	case len(p) >= 2 && p[1] == ':' && ('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z'):
		return true
	}
	return false
}
