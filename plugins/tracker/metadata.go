package tracker

// Metadata keys set by tracker_line and read by cgi_message and the other
// processors of the pipeline. They are a contract (see docs/design.md): a
// config or a dead-letter step may refer to them by name.
const (
	MetaTopic     = "kafka_topic" // the Kafka topic the event is produced to
	MetaPath      = "event_path"  // the request path
	MetaQuery     = "event_query" // the request query (`p` when there was none)
	MetaClientIP  = "client_ip"   // the client address as written
	MetaTS        = "event_ts"    // the event time in Unix seconds, as written
	MetaUserAgent = "user_agent"  // the user agent; set, possibly empty
)
