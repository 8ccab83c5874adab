package config

import "testing"

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"acme/shop", "acme/shop", true},
		{"acme/shop", "acme/shop2", false},
		{"acme/shop", "Acme/shop", false},
		{"acme/*", "acme/shop", true},
		{"acme/*", "acme/tools/shop", true},
		{"acme/*", "acme", false},
		{"acme/*", "acme/", true},
		{"*", "", true},
		{"", "", true},
		{"", "x", false},
		{"refs/tags/v*", "refs/tags/v1.2.3", true},
		{"refs/tags/v*", "refs/heads/v1", false},
		{"repo:acme/*:environment:prod", "repo:acme/shop:environment:prod", true},
		{"repo:acme/*:environment:prod", "repo:acme/shop:environment:staging", false},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"**", "anything", true},
		{"a?c", "abc", false}, // only * is special
		{"a?c", "a?c", true},
		{"a[bc]", "ab", false},
	} {
		if got := glob(tc.pattern, tc.s); got != tc.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
