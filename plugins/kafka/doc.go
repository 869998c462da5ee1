// Package kafka holds kafkastore's kafka components.
package kafka
