// Package versionfile sets the version in the files a release carries it
// in, changing the version and nothing else: package.json and
// package-lock.json (npm), composer.json (Composer, as a Magento 2
// application has it), Chart.yaml (Helm), pom.xml (Maven), Cargo.toml,
// pyproject.toml (PEP 621 or Poetry), a Go const or var Version, and any
// other file by a marker comment (x-releasekit-version on a line, or a
// block between x-releasekit-start-version and x-releasekit-end; each
// such line must carry one version, written once or several times, and
// not directly followed by a file name such as "-linux-amd64.tar.gz",
// see [Find]). A
// release pull request edits them; the tag names the same version
// (policy §1.12.3: the version of a release is the one its files and its
// tag agree on).
//
// Each format is read with its standard parser — encoding/json,
// encoding/xml, go/parser, yaml.v3 and go-toml's parser, which reports the
// byte range of every value — to find the exact bytes of the version
// ([Find]). [Update] replaces those bytes and keeps every other byte:
// comments, key order, indentation, tabs, CRLF line endings, a missing
// final newline. It then reads the result again and returns it only if the
// version is the new one at the same places. A version written so that it
// cannot be replaced byte for byte (escapes, multi-line strings, numbers,
// property references), a version given twice, or a file without one is
// refused with an *[Error] wrapping [ErrUnsupported], [ErrAmbiguous] or
// [ErrNoVersion]; a new version that is not a plain version string, with
// [ErrInvalidVersion]. Decoys stay as they are: a dependency's version, a
// parent POM's, a Chart's appVersion, a version in a comment.
//
// The functions are pure: they read bytes and return bytes, and never
// write a file.
package versionfile
