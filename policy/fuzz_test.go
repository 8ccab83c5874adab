package policy_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/releasekit/releasekit/policy"
)

func FuzzPatchID(f *testing.F) {
	f.Add("diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a  b\n+a c\n")
	f.Add("commit 0123456789012345678901234567890123456789\n\n    x\n\ndiff --git a/b b/b\nBinary files a/b and b/b differ\ndiff --git a/c b/c\n--- a/c\n+++ b/c\n@@ -1,2 +1 @@\n-x\n y\n")
	f.Add("diff --git a/f b/f\n@@ -\n")
	f.Fuzz(func(t *testing.T, diff string) {
		id := policy.PatchID([]byte(diff))
		if id != "" && len(id) != 40 {
			t.Fatalf("PatchID = %q, want 40 hex digits or empty", id)
		}
		// Line endings do not matter: CRLF is white space.
		if got := policy.PatchID([]byte(strings.ReplaceAll(diff, "\n", "\r\n"))); got != id && !strings.Contains(diff, "\r") {
			t.Fatalf("CRLF changed the patch ID: %q != %q", got, id)
		}
	})
}

func FuzzReadPullRequest(f *testing.F) {
	f.Add(`{"number": 42, "author": "alice", "approvers": ["bob"], "labels": ["release"], "checks": {"build": "success"}, "merge_method": "squash", "head": "feature/ABC-1-x", "base": "main"}`)
	f.Add(`{"merge_method": "octopus"}`)
	f.Add(`{} {}`)
	f.Fuzz(func(t *testing.T, in string) {
		pr, err := policy.ReadPullRequest(strings.NewReader(in))
		if err != nil {
			return
		}
		b, err := json.Marshal(pr)
		if err != nil {
			t.Fatal(err)
		}
		again, err := policy.ReadPullRequest(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
		if !reflect.DeepEqual(pr, again) {
			t.Fatalf("round trip changed %+v to %+v", pr, again)
		}
	})
}

func FuzzReadPromotionRequest(f *testing.F) {
	d := "sha256:" + strings.Repeat("ab", 32)
	f.Add(`{"release": "v1.4.2", "env": "prod", "digest": "` + d + `", "approver": "carol", "reason": "CHG-1", "requested_at": "2026-03-02T10:00:00+01:00",
 "emergency": {"reason": "r", "scope": "s", "approver": "a", "rollback_plan": "p", "follow_up": "f"},
 "history": [{"release": "v1.4.2", "env": "staging", "digest": "` + d + `", "requested_at": "2026-03-01T10:00:00Z", "promoted_at": "2026-03-01T10:00:00Z"}]}`)
	f.Add(`{"release": "v1", "env": "dev", "digest": "sha256:AB"}`)
	f.Add(`{"release": "v1", "env": "dev", "digest": "` + d + `"} []`)
	f.Fuzz(func(t *testing.T, in string) {
		req, err := policy.ReadPromotionRequest(strings.NewReader(in))
		if err != nil {
			return
		}
		b, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		again, err := policy.ReadPromotionRequest(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
		b2, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, b2) {
			t.Fatalf("round trip changed %s to %s", b, b2)
		}
	})
}
