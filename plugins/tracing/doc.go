// Package tracing holds kafkastore's tracer: noop, which discards tracing
// like Benthos' none without allocating a context per message and component.
package tracing
