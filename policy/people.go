package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/releasekit/releasekit/identity"
)

// People returns the directory of people the controls compare identities
// with: Policy.People, which [Evaluate] hands to every control. It is nil
// (normalisation only, no mapping) when the policy maps nobody, or when a
// control is evaluated on its own. Controls compare identities only
// through it (identity.Directory's Same, Contains and Conflict), never
// with strings.EqualFold.
func (f Facts) People() *identity.Directory { return f.people }

// blank reports whether the identity s was left out: empty or white space
// only. Anything else, invisible characters included, must normalise.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

// invalidIdentity is the fail of a check that met an identity that does not
// normalise: it denies (fail closed) and says why.
func invalidIdentity(role string, err error, ev ...Evidence) Result {
	var ie *identity.Error
	if errors.As(err, &ie) {
		return fail(fmt.Sprintf("%s %q is not a valid identity (%s); name people by their login or e-mail address, without invisible, control or mixed-script characters", role, ie.Input, identityReason(err)), ev...)
	}
	return fail(fmt.Sprintf("%s: %v", role, err), ev...)
}

// conflictsWith reports whether a may be the same person as one of others
// (blank ones skipped), for separation of duties.
func conflictsWith(people *identity.Directory, a string, others ...string) (bool, error) {
	for _, o := range others {
		if blank(o) {
			continue
		}
		c, err := people.Conflict(a, o)
		if err != nil || c {
			return c, err
		}
	}
	return false, nil
}
