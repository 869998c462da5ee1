// Package ops holds kafkastore's operations tooling: the dead-letter
// commands (stats, peek, replay, purge) behind `kafkastore deadletter` and
// the status page the binary serves while a pipeline runs.
//
// Everything here is plain Go over a redis.UniversalClient and an
// io.Writer or http.Handler, with no Benthos types, so the CLI in
// cmd/kafkastore stays a thin adapter and the logic is tested against a real
// redis-server.
//
// The key layout it reads is the one the reliable redis_list input writes:
// for queue key K the processing lists of unacknowledged batches are
// registered in the set P:consumer:ID:lists of every consumer ID listed in
// P:consumers, where P is K itself when K has a hash tag and {K} otherwise.
package ops
