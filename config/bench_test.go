package config_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/releasekit/releasekit/config"
)

// bigInputs are inputs near the size bound that once cost more than
// linear time: many unknown or repeated keys, deep nesting, many
// environments.
func bigInputs() map[string][]byte {
	var unknown, dups, envs bytes.Buffer
	unknown.WriteString("version: 1\n")
	dups.WriteString("version: 1\n")
	envs.WriteString("version: 1\nenvironments:\n")
	for i := 0; unknown.Len() < config.MaxFileSize-32; i++ {
		fmt.Fprintf(&unknown, "k%d: 1\n", i)
	}
	for dups.Len() < config.MaxFileSize-32 {
		dups.WriteString("people: {}\n")
	}
	for i := 0; envs.Len() < config.MaxFileSize-64; i++ {
		fmt.Fprintf(&envs, "  - {name: e%d, controls: [REL-X-001]}\n", i)
	}
	deep := "version: 1\nx: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n"
	return map[string][]byte{"unknown": unknown.Bytes(), "dups": dups.Bytes(), "envs": envs.Bytes(), "deep": []byte(deep)}
}

func BenchmarkParseBig(b *testing.B) {
	for name, data := range bigInputs() {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				_, _ = config.Parse(data, "")
			}
		})
	}
}

// TestParseBigProblemsBounded checks that a file with very many problems
// reports a bounded number of them.
func TestParseBigProblemsBounded(t *testing.T) {
	for name, data := range bigInputs() {
		t.Run(name, func(t *testing.T) {
			_, err := config.Parse(data, "")
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse = %v, want an *Error", err)
			}
			if len(ce.Problems) > config.MaxProblems+1 {
				t.Errorf("%d problems reported, want at most %d", len(ce.Problems), config.MaxProblems+1)
			}
		})
	}
}
