// Package identity is the one place releasekit compares identities: the
// author of a pull request, its reviewers, the approver of a deployment,
// the releaser, the requester and approvers of a policy exception and the
// approver of an emergency change. Separation of duties (policy
// §1.21.3.2: no single individual both approves code and promotes it to
// production) and least privilege (§1.21.3.1–§1.21.3.2: production
// controls granted only to designated roles; seed 001, role-based access
// control) are only as strong as the comparison of two names: "ada" must
// not approve her own change as "ada" followed by a zero-width space, as
// "аda" with a Cyrillic а, as "ａｄａ" in fullwidth letters, as
// "ada@example.com" or as "@ada".
//
// # Normal form
//
// [Normalize] returns the one canonical form of an identity (an e-mail
// address, a login or a principal): Unicode width folding, NFKC, Unicode
// case folding and NFKC again, white space trimmed at both ends, and one
// leading '@' (the mention form "@ada") dropped. It refuses, with an
// *[Error] that wraps [ErrInvalid]:
//   - the empty identity and one longer than [MaxLen] bytes;
//   - invalid UTF-8;
//   - control characters (newline, tab, ESC, NUL, ...);
//   - invisible characters: format characters, bidirectional controls and
//     default-ignorable code points (ZERO WIDTH SPACE U+200B, ZERO WIDTH
//     JOINER U+200D, WORD JOINER U+2060, SOFT HYPHEN U+00AD, the byte
//     order mark U+FEFF, variation selectors, Hangul fillers, ...);
//   - private-use, surrogate, noncharacter and unassigned code points;
//   - white space inside the identity;
//   - characters the PRECIS IdentifierClass (RFC 8264, the class of
//     usernames) disallows, such as symbols outside ASCII;
//   - mixed scripts under the "highly restrictive" level of Unicode's
//     identifier security profile (UTS #39 §5.2): every character is of
//     one script, Common and Inherited characters aside, or all are
//     covered by Latin+Han+Hiragana+Katakana, Latin+Han+Bopomofo or
//     Latin+Han+Hangul. "аda" (Cyrillic а, Latin d and a) is refused.
//
// The Unicode work is golang.org/x/text's (unicode/norm, width, cases,
// secure/precis), the Go project's maintained implementation of Unicode
// normalisation and PRECIS; scripts are the standard library's unicode
// tables (the Script property; Script_Extensions are not available there).
//
// # People
//
// A [Directory] maps the e-mail addresses and logins of one person to that
// person ("ada": ada@example.com, ada-gh). Its methods take the identities
// as written and normalise them; a nil *Directory maps nothing, and
// normalisation still applies:
//   - [Directory.Same] is strict, for authorisation: a and b are the same
//     person for certain (the same normal form, or aliases of one person).
//   - [Directory.Contains] is Same against a list, for permissions ("is the
//     approver listed for production?").
//   - [Directory.Conflict] is conservative, for separation of duties: a and
//     b may be the same person: Same, or an e-mail address whose local part
//     is the other side ("ada@example.com" and "ada"), unless the
//     Directory maps the two to different people.
//
// Every method returns the *[Error] of an identity that does not
// normalise: a check built on them fails closed.
//
// A Directory is immutable once made and safe for concurrent use.
//
// # Example
//
//	people, err := identity.NewDirectory(map[string][]string{
//		"ada": {"ada@example.com", "ada-gh"},
//	})
//	...
//	same, err := people.Same("ADA-GH", "@ada")         // true
//	conflict, err := people.Conflict("ada", "ada@evil.example") // true: may be ada
//	_, err = identity.Normalize("ada\u200b")           // *identity.Error "invisible character"
package identity
