// Package config carries kafkastore's default configuration, so that the
// binary (the demo, for one) runs the very file users read and lint.
package config

import _ "embed"

// Default is config/kafkastore.yaml as it was when the binary was built.
//
//go:embed kafkastore.yaml
var Default string
