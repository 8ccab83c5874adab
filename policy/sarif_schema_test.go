package policy_test

import (
	"bytes"
	"os"
	"testing"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
)

// TestSARIFSchema validates WriteSARIF's output against the SARIF 2.1.0
// JSON schema that the npm package @microsoft/jest-sarif ships
// (lib/schemas/sarif-2.1.0-rtm.5.json). Set SARIF_SCHEMA to its path; the
// test is skipped without it, as it uses no network.
func TestSARIFSchema(t *testing.T) {
	path := os.Getenv("SARIF_SCHEMA")
	if path == "" {
		t.Skip("SARIF_SCHEMA is not set (npm pack @microsoft/jest-sarif@1.0.0-beta.0 ships lib/schemas/sarif-2.1.0-rtm.5.json)")
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("sarif.json", doc))
	schema, err := c.Compile("sarif.json")
	require.NoError(t, err)

	var b bytes.Buffer
	require.NoError(t, sampleReport().WriteSARIF(&b, ".github/release-policy.yml"))
	bad := bytes.Replace(b.Bytes(), []byte(`"level": "error"`), []byte(`"level": "fatal"`), 1)
	inst, err := jsonschema.UnmarshalJSON(&b)
	require.NoError(t, err)
	require.NoError(t, schema.Validate(inst))

	// Hostile reason and evidence text (control characters, invalid
	// UTF-8, very long strings, paths that are no URI) stays valid.
	c2 := jsonschema.NewCompiler()
	c2.AssertFormat()
	require.NoError(t, c2.AddResource("sarif.json", doc))
	strict, err := c2.Compile("sarif.json")
	require.NoError(t, err)
	var h bytes.Buffer
	require.NoError(t, hostileReport().WriteSARIF(&h, ".github/release-policy.yml"))
	require.True(t, utf8.Valid(h.Bytes()))
	inst, err = jsonschema.UnmarshalJSON(bytes.NewReader(h.Bytes()))
	require.NoError(t, err)
	require.NoError(t, strict.Validate(inst))

	// The schema is really applied: a level SARIF does not define fails.
	inst, err = jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	require.NoError(t, err)
	require.Error(t, schema.Validate(inst))
}
