package tlog_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/tlog"
)

// specCheckpoint is the example of c2sp.org/tlog-checkpoint.
const specCheckpoint = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

var emptyRoot64 = base64.StdEncoding.EncodeToString(tlog.EmptyRoot[:])

// goodCheckpoints parse, and marshal back to themselves.
var goodCheckpoints = []string{
	specCheckpoint,
	"o\n0\n" + emptyRoot64 + "\n",
	"example.com/log\n1\n" + emptyRoot64 + "\n",
	"example.com/log\n18446744073709551615\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
	"example.com/log\n7\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next one\n— ext two\n",
	"origin with spaces and + is not recommended\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
	"ünïcode/λ\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
}

// badCheckpoints are refused with ErrFormat, each for the reason given.
var badCheckpoints = []struct{ name, text, reason string }{
	{"empty", "", "newline"},
	{"no final newline", strings.TrimSuffix(specCheckpoint, "\n"), "newline"},
	{"two lines", "example.com/log\n3\n", "lines"},
	{"one line", "example.com/log\n", "lines"},
	{"empty origin", "\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "origin is empty"},
	{"blank line after root", specCheckpoint + "\n", "extension line 1 is empty"},
	{"blank extension between", specCheckpoint + "a\n\nb\n", "extension line 2 is empty"},
	{"signature block", specCheckpoint + "\n— example.com/behind-the-sofa AAAA\n", "extension line 1 is empty"},
	{"leading zero", "o\n03\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "size"},
	{"double zero", "o\n00\n" + emptyRoot64 + "\n", "size"},
	{"plus sign", "o\n+3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "size"},
	{"minus sign", "o\n-3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "size"},
	{"space in size", "o\n 3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "size"},
	{"hex size", "o\n0x3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "size"},
	{"underscore size", "o\n1_000\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "size"},
	{"empty size", "o\n\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "size"},
	{"size overflow", "o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "64 bits"},
	{"arabic digits", "o\n٣\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "size"},
	{"root too short", "o\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n", "root"},
	{"root 31 bytes", "o\n3\n" + base64.StdEncoding.EncodeToString(make([]byte, 31)) + "\n", "root"},
	{"root 33 bytes", "o\n3\n" + base64.StdEncoding.EncodeToString(make([]byte, 33)) + "\n", "root"},
	{"root unpadded", "o\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", "root"},
	{"root url alphabet", "o\n3\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n", "root"},
	{"root non-canonical bits", "o\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", "root"},
	{"root hex", "o\n3\n" + strings.Repeat("ab", 32) + "\n", "root"},
	{"root with space", "o\n3\n CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "root"},
	{"empty root", "o\n3\n\n", "root"},
	{"size 0 other root", "o\n0\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "size 0"},
	{"carriage returns", "o\r\n3\r\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\r\n", "control"},
	{"tab in origin", "o\tx\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "control"},
	{"NUL in extension", specCheckpoint + "a\x00b\n", "control"},
	{"invalid UTF-8", "o\xff\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "UTF-8"},
	{"too large", "o\n3\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n" + strings.Repeat("x", tlog.MaxCheckpointSize) + "\n", "exceeds"},
}

func TestParseCheckpoint(t *testing.T) {
	for _, text := range goodCheckpoints {
		c, err := tlog.ParseCheckpoint([]byte(text))
		require.NoError(t, err, "%q", text)
		out, err := c.Marshal()
		require.NoError(t, err)
		assert.Equal(t, text, string(out), "ParseCheckpoint(%q).Marshal()", text)
	}
	c, err := tlog.ParseCheckpoint([]byte(specCheckpoint))
	require.NoError(t, err)
	assert.Equal(t, "example.com/behind-the-sofa", c.Origin)
	assert.Equal(t, uint64(20852163), c.Size)
	assert.Equal(t, "0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62", c.Root.String())
	assert.Nil(t, c.Extensions)
}

func TestParseCheckpointRefuses(t *testing.T) {
	for _, tc := range badCheckpoints {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tlog.ParseCheckpoint([]byte(tc.text))
			require.ErrorIs(t, err, tlog.ErrFormat)
			var ce *tlog.CheckpointError
			require.True(t, errors.As(err, &ce), "%T", err)
			assert.Contains(t, ce.Reason, tc.reason)
		})
	}
}

func TestMarshalRefuses(t *testing.T) {
	root := tlog.LeafHash([]byte("x"))
	for name, c := range map[string]tlog.Checkpoint{
		"empty origin":        {Size: 1, Root: root},
		"newline in origin":   {Origin: "a\nb", Size: 1, Root: root},
		"CR in origin":        {Origin: "a\r", Size: 1, Root: root},
		"invalid UTF-8":       {Origin: "a\xff", Size: 1, Root: root},
		"empty extension":     {Origin: "o", Size: 1, Root: root, Extensions: []string{"a", ""}},
		"newline extension":   {Origin: "o", Size: 1, Root: root, Extensions: []string{"a\n\nb"}},
		"oversized extension": {Origin: "o", Size: 1, Root: root, Extensions: []string{strings.Repeat("x", tlog.MaxCheckpointSize)}},
	} {
		_, err := c.Marshal()
		assert.ErrorIs(t, err, tlog.ErrFormat, name)
		_, err = tlog.SignCheckpoint(c, testSigner(t, "o"))
		assert.ErrorIs(t, err, tlog.ErrFormat, name)
	}
}
