package ops

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/kafkastore/kafkastore/plugins/tracker"
)

// ReasonParsesNow is the class of a dead letter the tracker parser accepts:
// a later step rejected it (Kafka refused the record, a processor failed) or
// the parser has been fixed since.
const ReasonParsesNow = "parses now (rejected by a later step, or the parser was fixed since)"

var (
	quotedRe = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	countRe  = regexp.MustCompile(`\b\d+ (fields|bytes)\b`)
)

// ParseError re-parses a dead letter with the tracker parser and returns its
// error, nil when the line parses now.
func ParseError(line string) error {
	_, err := tracker.ParseLineString(line)
	return err
}

// ReasonClass groups a parse error into a class: the message without the
// offending value, the advice after ';', quoted values or counts, so lines
// that failed the same way share a class. A nil error gives ReasonParsesNow.
func ReasonClass(err error) string {
	if err == nil {
		return ReasonParsesNow
	}
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, "; "); i >= 0 {
		msg = msg[:i]
	}
	msg = quotedRe.ReplaceAllLiteralString(msg, `"…"`)
	return countRe.ReplaceAllString(msg, "N $1")
}

// maxShownBytes bounds how much of one dead letter is printed.
const maxShownBytes = 1024

// quoteLine renders a dead letter with %q, so binary and control bytes are
// escaped, keeping at most maxShownBytes and saying how long it really was.
func quoteLine(s string) string {
	if len(s) <= maxShownBytes {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxShownBytes]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}

// humanBytes formats n bytes with a binary unit.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64) + " " + string("KMGTPE"[exp]) + "iB"
}
