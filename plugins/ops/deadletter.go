package ops

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/redis/go-redis/v9"
)

// The pipeline's outputs RPUSH dead letters, so the oldest is at the head
// (index 0) and the newest at the tail (index -1).

// Reason is one class of dead letters and how many of the sample fell in it.
type Reason struct {
	Class   string
	Count   int
	Example string // the newest line of the class, as stored
}

// StatsReport is what Stats found.
type StatsReport struct {
	Depths
	MemoryBytes  int64    // Redis's estimate of the dead-letter list's memory, 0 if unknown
	Sampled      int      // dead letters re-parsed, the newest ones
	SampledBytes int64    // their total size
	MaxBytes     int      // the largest of them
	Reasons      []Reason // most frequent first
}

// Stats measures the queue, the processing lists and the dead-letter list,
// re-parses the newest sample dead letters (at most) with the tracker parser
// and groups them by reason, then writes a report to w.
func Stats(ctx context.Context, c redis.UniversalClient, k Keys, sample int, w io.Writer) (StatsReport, error) {
	var r StatsReport
	var err error
	if r.Depths, err = ReadDepths(ctx, c, k); err != nil {
		return r, err
	}
	if r.Invalid > 0 {
		r.MemoryBytes, _ = c.MemoryUsage(ctx, k.Invalid).Result() // an estimate; ACLs may forbid it
	}
	lines, err := newest(ctx, c, k.Invalid, sample)
	if err != nil {
		return r, err
	}
	byClass := map[string]*Reason{}
	for _, l := range lines {
		r.Sampled++
		r.SampledBytes += int64(len(l))
		r.MaxBytes = max(r.MaxBytes, len(l))
		class := ReasonClass(ParseError(l))
		if rc, ok := byClass[class]; ok {
			rc.Count++
			continue
		}
		byClass[class] = &Reason{Class: class, Count: 1, Example: l}
	}
	for _, rc := range byClass {
		r.Reasons = append(r.Reasons, *rc)
	}
	slices.SortFunc(r.Reasons, func(a, b Reason) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Class, b.Class))
	})
	return r, r.write(w, k)
}

func (r StatsReport) write(w io.Writer, k Keys) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "queue\t%s\t%d entries\n", k.Queue, r.Queue)
	fmt.Fprintf(tw, "processing\t%s\t%d lists, %d entries\n", k.ProcessingPattern(), r.Processing.Lists, r.Processing.Elements)
	mem := ""
	if r.MemoryBytes > 0 {
		mem = ", " + humanBytes(r.MemoryBytes) + " in Redis"
	}
	fmt.Fprintf(tw, "dead letters\t%s\t%d entries%s\n", k.Invalid, r.Invalid, mem)
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Sampled == 0 {
		return nil
	}
	fmt.Fprintf(w, "\nreasons in the newest %d of %d dead letters (%s, average %s, largest %s):\n",
		r.Sampled, r.Invalid, humanBytes(r.SampledBytes), humanBytes(r.SampledBytes/int64(r.Sampled)), humanBytes(int64(r.MaxBytes)))
	for _, rc := range r.Reasons {
		fmt.Fprintf(w, "%8d  %5.1f%%  %s\n          e.g. %s\n", rc.Count, 100*float64(rc.Count)/float64(r.Sampled), rc.Class, quoteLine(rc.Example))
	}
	_, err := fmt.Fprintln(w)
	return err
}

// newest returns up to n of the newest elements of the list at key, newest
// first.
func newest(ctx context.Context, c redis.UniversalClient, key string, n int) ([]string, error) {
	if n <= 0 {
		return nil, nil
	}
	lines, err := c.LRange(ctx, key, -int64(n), -1).Result()
	if err != nil {
		return nil, keyErr(ctx, c, key, "reading", err)
	}
	slices.Reverse(lines)
	return lines, nil
}

// DeadLetter is one dead letter and why the tracker parser rejects it now.
type DeadLetter struct {
	Line string
	Err  error // nil when the line parses now
}

// Newest returns up to n of the newest dead letters, newest first, each with
// its parse error.
func Newest(ctx context.Context, c redis.UniversalClient, k Keys, n int) ([]DeadLetter, error) {
	lines, err := newest(ctx, c, k.Invalid, n)
	if err != nil {
		return nil, err
	}
	out := make([]DeadLetter, len(lines))
	for i, l := range lines {
		out[i] = DeadLetter{Line: l, Err: ParseError(l)}
	}
	return out, nil
}

// Peek writes the newest n dead letters to w, newest first, each quoted with
// %q (binary and control bytes escaped) with its parse error.
func Peek(ctx context.Context, c redis.UniversalClient, k Keys, n int, w io.Writer) ([]DeadLetter, error) {
	total, err := listLen(ctx, c, k.Invalid)
	if err != nil {
		return nil, err
	}
	dls, err := Newest(ctx, c, k, n)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "newest %d of %d dead letters in %q, newest first:\n", len(dls), total, k.Invalid)
	for i, d := range dls {
		reason := ReasonParsesNow
		if d.Err != nil {
			reason = d.Err.Error()
		}
		if _, err := fmt.Fprintf(w, "\n#%d (%d bytes)\n  line:  %s\n  error: %s\n", i+1, len(d.Line), quoteLine(d.Line), reason); err != nil {
			return dls, err
		}
	}
	return dls, nil
}

// NotConfirmedError is returned by Purge without confirmation.
type NotConfirmedError struct {
	Key   string
	Count int64
}

func (e *NotConfirmedError) Error() string {
	return fmt.Sprintf("refusing to delete the dead-letter list %q with %d entries: pass --yes to delete them", e.Key, e.Count)
}

// purgeScript deletes the list KEYS[1] and returns how many elements it held.
var purgeScript = redis.NewScript(`
local n = redis.call('LLEN', KEYS[1])
redis.call('DEL', KEYS[1])
return n
`)

// Purge deletes the dead-letter list when confirm is set and returns how many
// entries it held. Without confirm it deletes nothing and returns a
// *NotConfirmedError with the count.
func Purge(ctx context.Context, c redis.UniversalClient, k Keys, confirm bool, w io.Writer) (int64, error) {
	if !confirm {
		n, err := listLen(ctx, c, k.Invalid)
		if err != nil {
			return 0, err
		}
		return 0, &NotConfirmedError{Key: k.Invalid, Count: n}
	}
	n, err := purgeScript.Run(ctx, c, []string{k.Invalid}).Int64()
	if err != nil {
		return 0, keyErr(ctx, c, k.Invalid, "deleting", err)
	}
	_, err = fmt.Fprintf(w, "deleted %d dead letters from %q\n", n, k.Invalid)
	return n, err
}

// IsNotConfirmed reports whether err is Purge refusing without confirmation.
func IsNotConfirmed(err error) bool {
	var nc *NotConfirmedError
	return errors.As(err, &nc)
}
