// Package all is the manifest of the kafkastore plugin bundle: importing it
// registers every kafkastore component together with the Benthos core pure
// and io components.
package all

import (
	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"

	_ "github.com/kafkastore/kafkastore/plugins/device"
	_ "github.com/kafkastore/kafkastore/plugins/event"
	_ "github.com/kafkastore/kafkastore/plugins/geoip"
	_ "github.com/kafkastore/kafkastore/plugins/kafka"
	_ "github.com/kafkastore/kafkastore/plugins/prometheus"
	_ "github.com/kafkastore/kafkastore/plugins/redis"
	_ "github.com/kafkastore/kafkastore/plugins/route"
	_ "github.com/kafkastore/kafkastore/plugins/tracing"
	_ "github.com/kafkastore/kafkastore/plugins/tracker"
)
