// Package redis holds kafkastore's redis components.
package redis
