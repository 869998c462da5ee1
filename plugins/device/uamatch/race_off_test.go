//go:build !race

package uamatch

const raceEnabled = false
