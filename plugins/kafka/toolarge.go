package kafka

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Kafka checks message.max.bytes against a whole record batch, not against
// a record: when one record is too large, the broker refuses the batch and
// franz-go fails every record that shared it with MESSAGE_TOO_LARGE (or
// RECORD_LIST_TOO_LARGE). Before such a refusal may count as permanent, the
// writer finds which records are too large on their own: it re-produces the
// refused records in halves, and halves of those that fail again, down to
// single records, which it produces alone on a client that never batches.
// One bad record among n costs about 2·log2(n) extra produce requests; a
// batch without refusals pays one pass over its errors.

// isTooLarge reports the refusals that may come from a batch rather than
// from the record itself.
func isTooLarge(err error) bool {
	return errors.Is(err, kerr.MessageTooLarge) || errors.Is(err, kerr.RecordListTooLarge)
}

// tooLarge returns the indexes of idx whose error is a too-large refusal,
// or nil (without allocating) when there is none.
func tooLarge(idx []int, errs []error) []int {
	var out []int
	for _, i := range idx {
		if errs[i] != nil && isTooLarge(errs[i]) {
			if out == nil {
				out = make([]int, 0, len(idx))
			}
			out = append(out, i)
		}
	}
	return out
}

// isolateTooLarge re-produces the records of idx that were refused as too
// large until each refusal is one of a record produced alone. Records that
// fail otherwise keep their error for the caller to retry or report. It
// returns ctx's error if the context ends first.
func (w *franzWriter) isolateTooLarge(ctx context.Context, cl *kgo.Client, recs []kgo.Record, errs []error, idx []int) error {
	refused := tooLarge(idx, errs)
	if refused == nil {
		return nil
	}
	return w.bisect(ctx, cl, recs, errs, refused)
}

// bisect produces each half of idx on cl as its own round, in order, and
// recurses into the records of a half that are refused again. A single
// record goes to produceAlone: on cl, a record of a concurrent batch could
// still join its produce request.
func (w *franzWriter) bisect(ctx context.Context, cl *kgo.Client, recs []kgo.Record, errs []error, idx []int) error {
	if len(idx) == 1 {
		return w.produceAlone(ctx, recs, errs, idx[0])
	}
	mid := len(idx) / 2
	for _, half := range [][]int{idx[:mid], idx[mid:]} {
		if err := produceRound(ctx, cl, recs, errs, half); err != nil {
			return err
		}
		if refused := tooLarge(half, errs); refused != nil {
			if err := w.bisect(ctx, cl, recs, errs, refused); err != nil {
				return err
			}
		}
	}
	return nil
}

// produceAlone produces recs[i] in a produce request of its own, so that a
// too-large refusal is the record's own.
func (w *franzWriter) produceAlone(ctx context.Context, recs []kgo.Record, errs []error, i int) error {
	solo, err := w.soloClient()
	if err != nil {
		// Not a refusal: the caller retries the record.
		errs[i] = err
		return nil
	}
	return produceRound(ctx, solo, recs, errs, []int{i})
}

// soloClient returns the client that carries one record per produce
// request: with at most one record buffered, franz-go cannot batch two.
// Records it refuses client-side (over max_message_bytes) fail at once,
// without a request.
func (w *franzWriter) soloClient() (*kgo.Client, error) {
	w.mu.RLock()
	solo := w.solo
	w.mu.RUnlock()
	if solo != nil {
		return solo, nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.solo != nil {
		return w.solo, nil
	}
	if w.client == nil {
		return nil, fmt.Errorf("producing a record alone: %w", kgo.ErrClientClosed)
	}
	solo, err := kgo.NewClient(append(slices.Clip(w.opts), kgo.MaxBufferedRecords(1))...)
	if err != nil {
		return nil, fmt.Errorf("creating kafka client for single records: %w", err)
	}
	w.solo = solo
	return solo, nil
}

// closeSoloLocked closes the single-record client; the next produceAlone
// creates a new one. w.mu must be held.
func (w *franzWriter) closeSoloLocked() {
	if w.solo != nil {
		w.solo.Close()
		w.solo = nil
	}
}
