// Package event holds the tracker_event processor: the default chain
// tracker_line, device_detect, geoip, cgi_message fused into one batch
// processor that gives the same content, errors and (on request) metadata,
// at a fraction of the cost.
//
// Benthos charges a fixed cost per message for every processor a batch goes
// through (its message wrappers, tracing, metadata growth). The fused
// processor pays it once instead of four times and skips the metadata the
// chain only sets to hand values from one step to the next: by default it
// sets just kafka_topic and the keep_original key. The logic stays in the
// packages it comes from: tracker (line parsing, CGI encoding), device (the
// shared classification cache, with the CGI fragments of each answer
// encoded once) and geoip (schema detection, hot reload); meta.go only
// plans the META part from the fields list.
package event
