package route

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/redpanda-data/benthos/v4/public/service"
)

const (
	dlFieldOutput      = "output"
	dlFieldDeadLetter  = "dead_letter"
	dlFieldRejected    = "rejected"
	dlFieldMaxInFlight = "max_in_flight"
)

func deadLetterOutputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Utility").
		Summary("Sends messages flagged with an error to a dead-letter output and the rest to the main output; messages the main output refuses for good follow the errored ones.").
		Description(`The dead-letter pattern in one output, for the cost of one: it does what a `+"`fallback`"+` around a `+"`switch`"+` with `+"`check: errored()`"+` does, without their per-message work (a Bloblang query and a sort group per message and per level), which cost about a fifth of kafkastore's CPU per line (docs/performance.md).

For each batch:
1. messages without an error go to `+"`output`"+` as one batch, in order;
2. messages that `+"`output`"+` fails individually (a batch error naming them, such as records Kafka refuses for good) go to `+"`rejected`"+`, or to `+"`dead_letter`"+` when `+"`rejected`"+` is not set;
3. messages flagged with an error (by a processor) go to `+"`dead_letter`"+` as one batch, in order.

The batch is acknowledged when every write succeeded. If `+"`output`"+` fails the batch as a whole (for example during shutdown), or a dead-letter write fails, the error is returned and the input delivers the batch again: at-least-once, so messages already written may be written twice.

The indexes of a batch error must match the batch `+"`output`"+` received, so `+"`output`"+` should not reshape batches (no `+"`processors`"+` that filter or split, no `+"`batching`"+`); when they do not match, the whole batch fails and is delivered again.`).
		Fields(
			service.NewOutputField(dlFieldOutput).
				Description("Where messages without an error go."),
			service.NewOutputField(dlFieldDeadLetter).
				Description("Where messages flagged with an error go, unchanged."),
			service.NewOutputField(dlFieldRejected).
				Description("Where messages that `output` fails individually go; `dead_letter` when not set. Useful to restore the original content first, with `processors`.").
				Optional(),
			service.NewIntField(dlFieldMaxInFlight).
				Description("The number of batches written at a time. The default 1 keeps batches in order, which with a `kafka_franz` output of `max_in_flight: 1` keeps every topic partition in input order.").
				Default(1).
				LintRule(`root = if this < 1 { [ "max_in_flight must be at least 1" ] }`).
				Advanced(),
		).
		Example("Kafka with a Redis dead-letter list", "Invalid lines and records Kafka refuses go to a Redis list; the refused ones as the line kept in metadata by `cgi_message`'s `keep_original`.", `
output:
  dead_letter:
    output:
      kafka_franz:
        seed_brokers: [ localhost:9092 ]
        topic: ${! @kafka_topic }
    dead_letter:
      redis_list:
        url: redis://localhost:6379
        key: click_invalid
    rejected:
      redis_list:
        url: redis://localhost:6379
        key: click_invalid
      processors:
        - mapping: 'root = @tracker_line.or(content())'
`)
}

func init() {
	service.MustRegisterBatchOutput("dead_letter", deadLetterOutputSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchOutput, service.BatchPolicy, int, error) {
			out, err := newDeadLetterOutputFromConfig(conf, mgr)
			if err != nil {
				return nil, service.BatchPolicy{}, 0, err
			}
			maxInFlight, err := conf.FieldInt(dlFieldMaxInFlight)
			if err != nil {
				return nil, service.BatchPolicy{}, 0, err
			}
			if maxInFlight < 1 {
				return nil, service.BatchPolicy{}, 0, fmt.Errorf("max_in_flight %d: must be at least 1", maxInFlight)
			}
			return out, service.BatchPolicy{}, maxInFlight, nil
		})
}

// batchWriter is what the dead_letter output needs of a child output;
// *service.OwnedOutput implements it.
type batchWriter interface {
	WriteBatch(ctx context.Context, b service.MessageBatch) error
	Close(ctx context.Context) error
}

type deadLetterOutput struct {
	main, dead, rejected batchWriter
	log                  *service.Logger
	misaligned           atomic.Bool // logged once
}

func newDeadLetterOutputFromConfig(conf *service.ParsedConfig, mgr *service.Resources) (*deadLetterOutput, error) {
	main, err := conf.FieldOutput(dlFieldOutput)
	if err != nil {
		return nil, err
	}
	dead, err := conf.FieldOutput(dlFieldDeadLetter)
	if err != nil {
		return nil, err
	}
	var rejected batchWriter = dead
	if conf.Contains(dlFieldRejected) {
		if rejected, err = conf.FieldOutput(dlFieldRejected); err != nil {
			return nil, err
		}
	}
	for _, o := range []*service.OwnedOutput{main, dead} {
		// Connect the children now, not on the first batch.
		if err := o.Prime(); err != nil {
			return nil, err
		}
	}
	if r, ok := rejected.(*service.OwnedOutput); ok && r != dead {
		if err := r.Prime(); err != nil {
			return nil, err
		}
	}
	return newDeadLetterOutput(main, dead, rejected, mgr.Logger()), nil
}

func newDeadLetterOutput(main, dead, rejected batchWriter, log *service.Logger) *deadLetterOutput {
	return &deadLetterOutput{main: main, dead: dead, rejected: rejected, log: log}
}

// Connect does nothing: each child output connects (and reconnects) itself.
func (d *deadLetterOutput) Connect(context.Context) error { return nil }

// WriteBatch writes the good messages to the main output, then the ones it
// refused and the errored ones to the dead-letter outputs.
func (d *deadLetterOutput) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	good, errored := split(batch)
	if len(good) > 0 {
		refused, err := d.writeMain(ctx, good)
		if err != nil {
			return err
		}
		if len(refused) > 0 {
			if err := d.rejected.WriteBatch(ctx, refused); err != nil {
				return fmt.Errorf("writing %d refused messages to the dead-letter output: %w", len(refused), err)
			}
		}
	}
	if len(errored) > 0 {
		if err := d.dead.WriteBatch(ctx, errored); err != nil {
			return fmt.Errorf("writing %d errored messages to the dead-letter output: %w", len(errored), err)
		}
	}
	return nil
}

// split returns the messages without and with an error flag, each in batch
// order. When none is flagged (the usual case) good is batch itself.
func split(batch service.MessageBatch) (good, errored service.MessageBatch) {
	first := -1
	for i, m := range batch {
		if m.GetError() != nil {
			first = i
			break
		}
	}
	if first < 0 {
		return batch, nil
	}
	good = append(make(service.MessageBatch, 0, len(batch)-1), batch[:first]...)
	for _, m := range batch[first:] {
		if m.GetError() != nil {
			errored = append(errored, m)
		} else {
			good = append(good, m)
		}
	}
	return good, errored
}

// writeMain writes good to the main output and returns the messages it
// failed individually. Any other failure is returned as an error.
func (d *deadLetterOutput) writeMain(ctx context.Context, good service.MessageBatch) (service.MessageBatch, error) {
	err := d.main.WriteBatch(ctx, good)
	if err == nil {
		return nil, nil
	}
	var berr *service.BatchError
	if !errors.As(err, &berr) {
		return nil, err
	}
	var refused service.MessageBatch
	walked, aligned := 0, true
	berr.WalkMessages(func(i int, m *service.Message, merr error) bool { //nolint:staticcheck // indexes checked below
		if i != walked || i >= len(good) || !sameContent(m, good[i]) {
			aligned = false
			return false
		}
		walked++
		if merr != nil {
			refused = append(refused, good[i])
		}
		return true
	})
	if !aligned || walked != len(good) {
		if !d.misaligned.Swap(true) {
			d.log.Errorf("The dead_letter output's main output failed messages in a batch shaped unlike the one it was given (processors or batching on it?); failing whole batches instead: %v", err)
		}
		return nil, err
	}
	return refused, nil
}

// sameContent reports whether a and b hold the very same content bytes,
// which tells that a batch error's message i is the one that was sent.
func sameContent(a, b *service.Message) bool {
	ab, errA := a.AsBytes()
	bb, errB := b.AsBytes()
	return errA == nil && errB == nil && len(ab) == len(bb) && unsafe.SliceData(ab) == unsafe.SliceData(bb)
}

// Close closes the child outputs.
func (d *deadLetterOutput) Close(ctx context.Context) error {
	var errs []error
	seen := map[batchWriter]bool{}
	for _, o := range []batchWriter{d.main, d.dead, d.rejected} {
		if o == nil || seen[o] {
			continue
		}
		seen[o] = true
		errs = append(errs, o.Close(ctx))
	}
	return errors.Join(errs...)
}
