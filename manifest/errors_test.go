package manifest_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/releasekit/releasekit/manifest"
)

func TestReasonErrors(t *testing.T) {
	cause := errors.New("no trusted key")
	for _, tc := range []struct {
		err    error
		text   string
		is     error
		isNot  error
		unwrap error
	}{
		{&manifest.RefusalError{Reason: "release tag signature does not verify", Detail: "v1.0.0", Err: cause},
			"manifest: release tag signature does not verify: v1.0.0: no trusted key",
			&manifest.RefusalError{Reason: "release tag signature does not verify"},
			&manifest.RefusalError{Reason: "previous environment skipped"}, cause},
		{&manifest.RefusalError{Reason: "manifest content does not match its digest"},
			"manifest: manifest content does not match its digest",
			&manifest.RefusalError{Reason: "manifest content does not match its digest"},
			&manifest.FormatError{Reason: "manifest content does not match its digest"}, nil},
		{&manifest.FormatError{Reason: "invalid log entry", Detail: "seq 0"},
			"manifest: invalid log entry: seq 0",
			&manifest.FormatError{Reason: "invalid log entry"},
			&manifest.FormatError{Reason: "invalid deployment event"}, nil},
		{&manifest.FormatError{Reason: "invalid deployment event", Err: cause},
			"manifest: invalid deployment event: no trusted key",
			cause, manifest.ErrInvalidRecord, cause},
	} {
		t.Run(tc.text, func(t *testing.T) {
			assert.Equal(t, tc.text, tc.err.Error())
			wrapped := fmt.Errorf("promote v1.0.0: %w", tc.err)
			assert.ErrorIs(t, wrapped, tc.is)
			assert.NotErrorIs(t, wrapped, tc.isNot)
			assert.Equal(t, tc.unwrap, errors.Unwrap(tc.err))
		})
	}
	assert.ErrorIs(t, fmt.Errorf("x: %w", &manifest.DriftError{Release: "v1"}), &manifest.DriftError{})
}
