package tracker

import (
	"fmt"
	"slices"
	"time"
)

// Exports for processors that fuse tracker_line and cgi_message with other
// steps (plugins/event): the defaults, error texts and helpers those two
// processors use, so a fused processor answers exactly as they do.

// DefaultMaxLineBytes is tracker_line's default max_line_bytes.
const DefaultMaxLineBytes = tlDefaultMaxLineBytes

// MetricEventLag is the name of cgi_message's event lag timer.
const MetricEventLag = metricEventLag

// DefaultFields returns a copy of cgi_message's default fields list.
func DefaultFields() []string {
	return slices.Clone(cgiDefaultFields)
}

// CheckLineLength returns the error tracker_line flags a line of n bytes
// with when n exceeds maxLineBytes, or nil.
func CheckLineLength(n, maxLineBytes int) error {
	if n > maxLineBytes {
		return fmt.Errorf("line is %d bytes; %s is %d", n, tlFieldMaxLineBytes, maxLineBytes)
	}
	return nil
}

// EventLag returns the observation cgi_message records in its event lag
// timer for an event at ts (Unix seconds) converted at now (Unix seconds):
// now minus ts in whole seconds, as nanoseconds, clamped to the int64 range.
func EventLag(now, ts int64) int64 {
	return min(max(now-ts, -maxLagSeconds), maxLagSeconds) * int64(time.Second)
}

// BoxedString is a string and an any holding it, allocated together: a
// slice of them boxes a whole batch's metadata values in one allocation
// instead of one per Message.MetaSetMut. A BoxedString must not be copied
// after Set: the any points into it.
type BoxedString struct {
	b boxedString
}

// Set stores s and returns an any holding it, without allocating.
func (b *BoxedString) Set(s string) any {
	return b.b.set(s)
}
