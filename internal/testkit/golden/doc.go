// Package golden compares the output of a test with a golden file, the one
// way the tests of releasekit do it (STYLE.md rule 20). Importing it
// registers the -update flag: go test ./... -update rewrites every golden
// file with the output of its test instead of comparing.
//
//	func TestWrite(t *testing.T) {
//		var buf bytes.Buffer
//		// ... write the output into buf ...
//		golden.Check(t, filepath.Join("testdata", "write.golden"), buf.Bytes())
//	}
//
// Only tests (and the test helpers of examples/) import it. A test binary
// that imports it must not register another -update flag.
package golden
