package demo

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/manifest"
)

// ShowLog prints entries, a verified log, as `relctl log show` prints it
// (audit.ViewEntry and LogEntry.WriteText, which relctl uses), quoted
// under a step ("    | " before each line): for each entry a header (its
// seq, time, result, action, and release → environment), who acted
// (verified from a CI token, with its issuer, subject and key, or typed)
// and, when the entry has them, the approver, the targets, the digest, the
// commit and branch deployed, the files changed, the reason, the refusal
// and the controls that refused, a failed deployment's error and the
// configuration it was decided under.
func ShowLog(w io.Writer, entries []manifest.Entry) error {
	for _, e := range entries {
		v, err := audit.ViewEntry(e)
		if err != nil {
			return err
		}
		var b strings.Builder
		if err := v.WriteText(&b); err != nil {
			return err
		}
		sc := bufio.NewScanner(strings.NewReader(b.String()))
		for sc.Scan() {
			if _, err := fmt.Fprintln(w, strings.TrimRight("    | "+sc.Text(), " ")); err != nil {
				return err
			}
		}
	}
	return nil
}
