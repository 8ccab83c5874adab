package commits

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// rawCommit is the header of a commit object, decoded without allocating
// strings for anything the walker does not need.
type rawCommit struct {
	tree      plumbing.Hash
	parents   []plumbing.Hash
	author    []byte // "Name <email> 1700000000 +0100"
	committer []byte
	time      int64 // committer time, Unix seconds
	message   []byte
}

// parseRawCommit decodes a commit object's content. It accepts what git
// writes (tree, parents, author, committer, optional encoding, gpgsig and
// mergetag continuation lines) and rejects objects without a tree line.
func parseRawCommit(data []byte) (rawCommit, error) {
	var c rawCommit
	rest := data
	sawTree := false
	for len(rest) > 0 {
		nl := bytes.IndexByte(rest, '\n')
		var line []byte
		if nl < 0 {
			line, rest = rest, nil
		} else {
			line, rest = rest[:nl], rest[nl+1:]
		}
		if len(line) == 0 {
			c.message = rest
			break
		}
		if line[0] == ' ' {
			continue // continuation of a multi-line header (gpgsig, mergetag)
		}
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		key, val := line[:sp], line[sp+1:]
		switch string(key) {
		case "tree":
			h, ok := hexHash(val)
			if !ok {
				return c, errMalformedCommit
			}
			c.tree, sawTree = h, true
		case "parent":
			h, ok := hexHash(val)
			if !ok {
				return c, errMalformedCommit
			}
			c.parents = append(c.parents, h)
		case "author":
			c.author = val
		case "committer":
			c.committer = val
			c.time, _ = identTime(val)
		}
	}
	if !sawTree {
		return c, errMalformedCommit
	}
	return c, nil
}

func hexHash(b []byte) (plumbing.Hash, bool) {
	var h plumbing.Hash
	if len(b) != 40 {
		return h, false
	}
	if _, err := hex.Decode(h[:], b); err != nil {
		return h, false
	}
	return h, true
}

// identTime returns the timestamp of an identity line "Name <email> ts tz".
func identTime(b []byte) (int64, int) {
	gt := bytes.LastIndexByte(b, '>')
	if gt < 0 {
		return 0, 0
	}
	// "ts tz" after the '>', without allocating: this runs twice per
	// commit on every history walk.
	ts, rest := nextField(b[gt+1:])
	tz, _ := nextField(rest)
	if len(ts) == 0 {
		return 0, 0
	}
	sec, err := strconv.ParseInt(string(ts), 10, 64)
	if err != nil {
		return 0, 0
	}
	off := 0
	if len(tz) == 5 && (tz[0] == '+' || tz[0] == '-') {
		hh, err1 := strconv.Atoi(string(tz[1:3]))
		mm, err2 := strconv.Atoi(string(tz[3:5]))
		if err1 == nil && err2 == nil {
			off = (hh*60 + mm) * 60
			if tz[0] == '-' {
				off = -off
			}
		}
	}
	return sec, off
}

// nextField returns the first space-separated field of b and the rest.
func nextField(b []byte) (field, rest []byte) {
	b = bytes.TrimLeft(b, " \t")
	end := bytes.IndexAny(b, " \t")
	if end < 0 {
		return b, nil
	}
	return b[:end], b[end:]
}

// parseIdent turns an identity line into a Signature.
func parseIdent(b []byte) Signature {
	var s Signature
	lt := bytes.IndexByte(b, '<')
	gt := bytes.LastIndexByte(b, '>')
	if lt < 0 || gt < lt {
		s.Name = string(bytes.TrimSpace(b))
		return s
	}
	s.Name = string(bytes.TrimSpace(b[:lt]))
	s.Email = string(b[lt+1 : gt])
	ts, off := identTime(b)
	s.When = time.Unix(ts, 0).In(time.FixedZone("", off))
	return s
}
