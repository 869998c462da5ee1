// Package geoip holds kafkastore's geoip components.
package geoip
