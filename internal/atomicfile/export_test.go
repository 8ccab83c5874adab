package atomicfile

import "io"

// UpdateWithFaults is Update with faults injected: wrap wraps the writer
// of the temporary file, and beforeRename runs after the temporary file is
// written and synced, just before the final check and rename.
func UpdateWithFaults(root, name string, edit EditFunc, wrap func(io.Writer) io.Writer, beforeRename func() error) error {
	return update(root, name, edit, &hooks{wrap: wrap, beforeRename: beforeRename})
}
