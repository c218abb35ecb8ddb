// Package iamtrim holds what the binary bundles from the repository's
// data: the action catalog of the sample organisation (testdata/catalog),
// which `iamtrim trim` falls back on, with a warning, when it can neither
// refresh the catalog nor find a cached or stored one.
package iamtrim

import "embed"

// BundledCatalog holds testdata/catalog/*.json (Service Reference
// documents of the sample's services only).
//
//go:embed testdata/catalog/*.json
var BundledCatalog embed.FS
