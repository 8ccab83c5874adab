package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// This file is where relctl loads keys: every signer and verifier a command
// builds from its flags and files.

// trustedKeys returns the verifier of exactly one of an armored OpenPGP
// keyring file and an SSH allowed_signers file, the SSH one for signatures
// in namespace ns (tagging.GitNamespace for tags, manifest.Namespace for
// evidence) that also requires principal when it is not empty.
func trustedKeys(keyring, allowed, principal, ns string) (signature.Verifier, error) {
	if (keyring == "") == (allowed == "") {
		return nil, usagef("give exactly one of --keyring and --allowed-signers")
	}
	if keyring != "" {
		b, err := readInput("--keyring", keyring, maxInputFile)
		if err != nil {
			return nil, err
		}
		v, err := signature.NewOpenPGPVerifier(bytes.NewReader(b))
		if err != nil {
			return nil, usageError{fmt.Errorf("--keyring %s: %w", keyring, err)}
		}
		return v, nil
	}
	b, err := readInput("--allowed-signers", allowed, maxInputFile)
	if err != nil {
		return nil, err
	}
	signers, err := signature.ParseAllowedSigners(b)
	if err != nil {
		return nil, usageError{fmt.Errorf("--allowed-signers %s: %w", allowed, err)}
	}
	v := signature.NewSSHVerifier(signers, ns)
	if principal != "" {
		v = v.WithPrincipal(principal)
	}
	return v, nil
}

// tagSigner returns the signer of `relctl tag --sign format --key keyFile`
// and a verifier trusting only that key; both are nil for an unsigned tag
// (format "").
func tagSigner(format, keyFile string, passphrase []byte) (signature.Signer, signature.Verifier, error) {
	switch format {
	case "":
		return nil, nil, nil
	case "openpgp":
		key, err := readInput("--key", keyFile, maxInputFile)
		if err != nil {
			return nil, nil, err
		}
		s, err := signature.NewOpenPGPSigner(bytes.NewReader(key), passphrase)
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("--key %s: %w", keyFile, err)}
		}
		own, err := signature.NewOpenPGPVerifier(bytes.NewReader(key))
		if err != nil {
			return nil, nil, usageError{fmt.Errorf("--key %s: %w", keyFile, err)}
		}
		return s, own, nil
	case "ssh":
		s, pub, err := sshSignerFromFile(keyFile, passphrase)
		if err != nil {
			return nil, nil, err
		}
		return s, signature.NewSSHVerifier([]signature.AllowedSigner{{Principals: []string{"*"}, Key: pub}}, tagging.GitNamespace), nil
	}
	return nil, nil, usagef("--sign %q: want openpgp or ssh", format)
}

// sshSignerFromFile reads a private key file, or a public key file whose
// private key the ssh-agent at SSH_AUTH_SOCK holds (as git's user.signingKey).
// It also returns the public key.
func sshSignerFromFile(path string, passphrase []byte) (*signature.SSHSigner, ssh.PublicKey, error) {
	b, err := readInput("--key", path, maxInputFile)
	if err != nil {
		return nil, nil, err
	}
	if pub, _, _, _, perr := ssh.ParseAuthorizedKey(b); perr == nil {
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, nil, usagef("--key %s is a public key and SSH_AUTH_SOCK is not set", path)
		}
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, nil, fmt.Errorf("ssh-agent: %w", err)
		}
		signers, err := agent.NewClient(conn).Signers()
		if err != nil {
			conn.Close()
			return nil, nil, fmt.Errorf("ssh-agent: %w", err)
		}
		for _, s := range signers {
			if bytes.Equal(s.PublicKey().Marshal(), pub.Marshal()) {
				ss, err := signature.NewSSHSigner(s, tagging.GitNamespace)
				return ss, s.PublicKey(), err
			}
		}
		conn.Close()
		return nil, nil, usagef("--key %s: the ssh-agent does not hold this key", path)
	}
	k, err := signature.ParseSSHPrivateKey(b, passphrase)
	if err != nil {
		return nil, nil, usageError{fmt.Errorf("--key %s: %w", path, err)}
	}
	ss, err := signature.NewSSHSigner(k, tagging.GitNamespace)
	return ss, k.PublicKey(), err
}

// evidenceSigner reads the private key in file (flag names it in errors)
// and returns a signer for evidence (manifests, log checkpoints): SSH in
// namespace manifest.Namespace, or OpenPGP.
func evidenceSigner(flag, file, format, passEnv string) (signature.Signer, error) {
	keyData, err := readInput(flag, file, maxInputFile)
	if err != nil {
		return nil, err
	}
	pass, err := readPassphrase(passEnv, "")
	if err != nil {
		return nil, err
	}
	switch format {
	case "ssh":
		k, err := signature.ParseSSHPrivateKey(keyData, pass)
		if err != nil {
			return nil, usageError{fmt.Errorf("%s %s: %w", flag, file, err)}
		}
		return signature.NewSSHSigner(k, manifest.Namespace)
	case "openpgp":
		s, err := signature.NewOpenPGPSigner(bytes.NewReader(keyData), pass)
		if err != nil {
			return nil, usageError{fmt.Errorf("%s %s: %w", flag, file, err)}
		}
		return s, nil
	}
	return nil, usagef("--format %q: want ssh or openpgp", format)
}

// provenanceKey reads the PEM public key in file (flag names it in
// errors) that provenance envelopes are verified with.
func provenanceKey(flag, file string) (*signature.KeyVerifier, error) {
	data, err := readInput(flag, file, maxInputFile)
	if err != nil {
		return nil, err
	}
	v, err := signature.ParsePublicKeyPEM(data)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s %s: %w", flag, file, err)}
	}
	return v, nil
}

// provenanceKeyFile reads the PEM public key in file, for
// `relctl provenance verify --key`.
func provenanceKeyFile(file string) (*signature.KeyVerifier, error) {
	keyPEM, err := readInput("--key", file, maxInputFile)
	if err != nil {
		return nil, err
	}
	v, err := signature.ParsePublicKeyPEM(keyPEM)
	if err != nil {
		return nil, usageError{err}
	}
	return v, nil
}

// provenanceSigner reads the PEM (PKCS #8) private key in file that
// statements and provenance are signed with.
func provenanceSigner(file string) (*signature.KeySigner, error) {
	keyPEM, err := readInput("--key", file, maxInputFile)
	if err != nil {
		return nil, err
	}
	s, err := signature.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, usageError{err}
	}
	return s, nil
}

// readPassphrase reads the passphrase from an environment variable or the
// first line of a file; it is never taken from the command line.
func readPassphrase(env, file string) ([]byte, error) {
	switch {
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok {
			return nil, usagef("--passphrase-env: %s is not set", env)
		}
		return []byte(v), nil
	case file != "":
		b, err := readInput("--passphrase-file", file, maxInputFile)
		if err != nil {
			return nil, err
		}
		line, _, _ := strings.Cut(string(b), "\n")
		return []byte(strings.TrimSuffix(line, "\r")), nil
	}
	return nil, nil
}
