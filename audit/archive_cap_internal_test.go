package audit

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// A decompressed stream may fill its cap exactly; one byte more is refused.
func TestCapReader(t *testing.T) {
	for _, tc := range []struct {
		size int
		err  error
	}{
		{99, nil},
		{100, nil},
		{101, errArchiveCap},
	} {
		data := bytes.Repeat([]byte("x"), tc.size)
		got, err := io.ReadAll(&capReader{r: bytes.NewReader(data), left: 100})
		if !errors.Is(err, tc.err) {
			t.Errorf("%d bytes under a cap of 100: err %v, want %v", tc.size, err, tc.err)
		}
		if tc.err == nil && len(got) != tc.size {
			t.Errorf("%d bytes under a cap of 100: read %d", tc.size, len(got))
		}
	}
}
