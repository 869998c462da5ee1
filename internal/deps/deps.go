// Package deps pins the modules the plugin packages are being built on, so
// that go mod tidy keeps them while the packages are written. Remove it once
// every module here is imported by real code.
package deps

import (
	_ "github.com/alicebob/miniredis/v2"
	_ "github.com/maxmind/mmdbwriter"
	_ "github.com/oschwald/geoip2-golang/v2"
	_ "github.com/oschwald/maxminddb-golang/v2"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/prometheus/client_golang/prometheus/push"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/twmb/franz-go/pkg/kfake"
	_ "github.com/twmb/franz-go/pkg/kgo"
	_ "github.com/twmb/franz-go/pkg/kadm"
	_ "github.com/twmb/franz-go/pkg/sasl/plain"
	_ "github.com/twmb/franz-go/pkg/sasl/scram"
	_ "github.com/ua-parser/uap-go/uaparser"
	_ "github.com/urfave/cli/v2"
)
