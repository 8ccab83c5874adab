package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An emergency record that repeats a key ("reason":"" then
// "reason":"outage") is refused, as the stores refuse it: the reviewer of
// the file and the decoder must read the same record.
func TestReadEmergencyDuplicateKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
		return p
	}
	for name, content := range map[string]string{
		"duplicate reason":   `{"reason":"","reason":"outage","scope":"app","approver":"dana","rollback_plan":"redeploy","follow_up":"PIR"}`,
		"duplicate approver": `{"reason":"outage","scope":"app","approver":"dana","approver":"ada","rollback_plan":"redeploy","follow_up":"PIR"}`,
		"case-folded twin":   `{"reason":"outage","Reason":"","scope":"app","approver":"dana","rollback_plan":"redeploy","follow_up":"PIR"}`,
	} {
		t.Run(name, func(t *testing.T) {
			em, err := readEmergency(write(name+".json", content))
			require.Error(t, err)
			assert.Nil(t, em)
			assert.True(t, isUsage(err), "a bad --emergency file is a usage error: %v", err)
			assert.Contains(t, err.Error(), "duplicate key")
		})
	}
	em, err := readEmergency(write("ok.json", `{"reason":"outage","scope":"app","approver":"dana","rollback_plan":"redeploy","follow_up":"PIR"}`))
	require.NoError(t, err)
	assert.Equal(t, "outage", em.Reason)
}
