//go:build race

package device

// raceEnabled makes the differential tests use recorded uap-go answers:
// under -race uap-go's regexes run tens of times slower.
const raceEnabled = true
