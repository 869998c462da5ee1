// Package device holds kafkastore's device components.
package device
