// Package tracker holds kafkastore's tracker components.
package tracker
