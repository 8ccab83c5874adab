package forge

import (
	"fmt"
	"os"
	"strings"
)

// The environment variables a token is read from, by forge, in order.
var tokenEnv = map[string][]string{
	"github": {"RELEASEKIT_GITHUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN"},
	"gitlab": {"RELEASEKIT_GITLAB_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN"},
	"gitea":  {"RELEASEKIT_GITEA_TOKEN", "GITEA_TOKEN"},
}

// Token returns the API token for kind ("github", "gitlab" or "gitea")
// from the environment — RELEASEKIT_<KIND>_TOKEN, then the variable the
// forge's own CI sets (GITHUB_TOKEN or GH_TOKEN, GITLAB_TOKEN or
// CI_JOB_TOKEN, GITEA_TOKEN) — and the variable it came from. Tokens are
// never taken from a command line, where other users of the machine and
// CI logs see them. No token is an error: a forge call without one would
// fail later with less to say.
func Token(kind string) (token, from string, err error) {
	names, ok := tokenEnv[kind]
	if !ok {
		return "", "", fmt.Errorf("%w: unknown forge %q (want github, gitlab or gitea)", ErrInvalid, kind)
	}
	for _, n := range names {
		if v := strings.TrimSpace(os.Getenv(n)); v != "" {
			return v, n, nil
		}
	}
	return "", "", fmt.Errorf("%w: no %s token: set %s", ErrUnauthorized, kind, strings.Join(names, " or "))
}
