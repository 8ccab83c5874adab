package policy_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/releasekit/releasekit/policy"
)

func TestReportError(t *testing.T) {
	cause := errors.New("unexpected EOF")
	err := fmt.Errorf("--report r.json: %w", &policy.ReportError{Reason: "invalid report", Err: cause})
	assert.Equal(t, "--report r.json: policy: invalid report: unexpected EOF", err.Error())
	assert.ErrorIs(t, err, &policy.ReportError{Reason: "invalid report"})
	assert.ErrorIs(t, err, cause)
	assert.NotErrorIs(t, err, &policy.ReportError{Reason: "controls failed"})

	failed := &policy.ReportError{Reason: "controls failed", Detail: "REL-SOD-001: author approved"}
	assert.Equal(t, "policy: controls failed: REL-SOD-001: author approved", failed.Error())
	assert.Nil(t, errors.Unwrap(failed))
}
