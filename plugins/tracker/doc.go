// Package tracker holds the processors that turn a tracker line into the CGI
// message kafkastore produces to Kafka: tracker_line parses
// `IP UNIX_TS TOPIC PATH QUERY USER AGENT...` into metadata, and cgi_message
// formats `PATH META QUERY` from that metadata and what device_detect and
// geoip add.
//
// The parsing and encoding are plain functions with no Benthos types
// (ParseLine, AppendIPDecimal, AppendEscaped, MetaBuilder), so they can be
// tested, fuzzed and benchmarked alone; the processor files are thin
// adapters around them.
package tracker
