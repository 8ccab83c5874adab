// Package ocistore is a release-evidence store on an OCI registry.
package ocistore
