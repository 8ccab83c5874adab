//go:build !unix

package boundedfile

// openFlags: no O_NONBLOCK outside Unix; the type check still refuses
// what is not a regular file.
const openFlags = 0
