// Package prometheus holds kafkastore's prometheus components.
package prometheus
