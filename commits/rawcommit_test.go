package commits

import "testing"

func TestIdentTimeForms(t *testing.T) {
	for _, c := range []struct {
		in  string
		ts  int64
		off int
	}{
		{"A <a@x> 1700000000 +0100", 1700000000, 3600},
		{"A <a@x> 1700000000 -0230", 1700000000, -9000},
		{"A <a@x>  1700000000\t+0000", 1700000000, 0},
		{"A <a@x> 1700000000", 1700000000, 0},
		{"A <a@x> 17x +0100", 0, 0},
		{"A <a@x>", 0, 0},
		{"no email", 0, 0},
	} {
		ts, off := identTime([]byte(c.in))
		if ts != c.ts || off != c.off {
			t.Errorf("identTime(%q) = %d, %d; want %d, %d", c.in, ts, off, c.ts, c.off)
		}
	}
}
