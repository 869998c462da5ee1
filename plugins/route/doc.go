// Package route holds kafkastore's routing outputs: dead_letter, which sends
// errored messages and the ones the main output refuses for good to a
// dead-letter output, at a fraction of the per-message cost of Benthos'
// switch and fallback.
package route
