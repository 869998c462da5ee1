//go:build race

package uamatch

// raceEnabled thins the differential corpus under -race, where uap-go's
// regexes run about ten times slower.
const raceEnabled = true
