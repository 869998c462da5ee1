package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

const (
	// connectPingTimeout bounds how long Connect waits for a broker.
	connectPingTimeout = 10 * time.Second
	// connectRetryWait is how long Benthos waits before the next Connect
	// after the brokers could not be reached.
	connectRetryWait = 5 * time.Second
	// authRetryWait is the wait after a broker refused our credentials.
	authRetryWait = time.Minute
	// clientResetRounds is how many failed produce rounds in a row we
	// tolerate before replacing the client as a last resort.
	clientResetRounds = 8
)

// writerConfig is what both output constructors produce: one franz-go
// producer configuration and how to turn a message into a record.
type writerConfig struct {
	conn         connConfig
	producerOpts []kgo.Opt
	records      recordConfig

	// retryMin and retryMax bound the backoff between produce rounds that
	// retry records Kafka failed transiently.
	retryMin, retryMax time.Duration
}

// franzWriter produces batches with one franz-go client. Records that Kafka
// refuses for good fail individually in a service.BatchError; every other
// failure is retried here until it succeeds or the context ends.
type franzWriter struct {
	conf    writerConfig
	opts    []kgo.Opt
	log     *service.Logger
	metrics *writerMetrics

	mu     sync.RWMutex
	client *kgo.Client
	solo   *kgo.Client // created on first need by produceAlone; nil until then

	unreachable atomic.Bool // Connect has logged that brokers are down
	retrying    atomic.Bool // WriteBatch has logged that it is retrying
}

// newFranzWriter checks the client options and returns a writer that
// connects on Connect. metrics may be nil.
func newFranzWriter(conf writerConfig, log *service.Logger, metrics *service.Metrics) (*franzWriter, error) {
	opts := append(conf.conn.kgoOpts(log), kgo.ProducerLinger(0))
	opts = append(opts, conf.producerOpts...)
	// Building a client validates every option without dialing anything,
	// so bad settings fail here, at config time.
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("checking kafka client options: %w", err)
	}
	cl.Close()
	if log == nil {
		log = service.MockResources().Logger()
	}
	return &franzWriter{conf: conf, opts: opts, log: log, metrics: newWriterMetrics(metrics)}, nil
}

// Connect creates the client and checks that a broker answers.
func (w *franzWriter) Connect(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.client != nil {
		return nil
	}
	cl, err := kgo.NewClient(w.opts...)
	if err != nil {
		return fmt.Errorf("creating kafka client: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, connectPingTimeout)
	defer cancel()
	if err := cl.Ping(pctx); err != nil {
		cl.Close()
		seeds := strings.Join(w.conf.conn.seedBrokers, ",")
		if isAuthErr(err) {
			return service.NewErrBackOff(fmt.Errorf("connecting to kafka %s: %w", seeds, err), authRetryWait)
		}
		if len(w.conf.conn.sasl) > 0 {
			err = fmt.Errorf("%w (if the brokers are up, check the sasl credentials)", err)
		}
		if !w.unreachable.Swap(true) {
			w.log.Warnf("Kafka brokers %s unreachable, retrying every %v: %v", seeds, connectRetryWait, err)
		}
		return service.NewErrBackOff(fmt.Errorf("connecting to kafka %s: %w: %w", seeds, service.ErrNotConnected, err), connectRetryWait)
	}
	if w.unreachable.Swap(false) {
		w.log.Infof("Kafka brokers %s reachable again", strings.Join(w.conf.conn.seedBrokers, ","))
	}
	w.client = cl
	return nil
}

func (w *franzWriter) currentClient() *kgo.Client {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.client
}

// replaceClient swaps old for a fresh client, unless another batch already
// did, and returns the client to use from now on.
func (w *franzWriter) replaceClient(old *kgo.Client) *kgo.Client {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.client != old || w.client == nil {
		return w.client
	}
	cl, err := kgo.NewClient(w.opts...)
	if err != nil {
		w.log.Errorf("Recreating kafka client: %v", err)
		return old
	}
	w.client = cl
	// Records still buffered in the old clients fail with ErrClientClosed
	// and their batches re-produce them on the new one.
	old.Close()
	w.closeSoloLocked()
	return cl
}

// WriteBatch produces every message of the batch concurrently and waits for
// Kafka. It returns nil, a BatchError naming the records Kafka refused for
// good, service.ErrNotConnected before Connect, or ctx's error when the
// context ends while transient failures are still being retried.
func (w *franzWriter) WriteBatch(ctx context.Context, batch service.MessageBatch) error {
	cl := w.currentClient()
	if cl == nil {
		return service.ErrNotConnected
	}
	started := time.Now()
	recs := make([]kgo.Record, len(batch))
	errs := make([]error, len(batch))
	pending := make([]int, 0, len(batch))
	for i, msg := range batch {
		if err := w.conf.records.build(&recs[i], msg); err != nil {
			errs[i] = err
			continue
		}
		pending = append(pending, i)
	}
	wait := w.conf.retryMin
	for failed := 0; len(pending) > 0; failed++ {
		if err := produceRound(ctx, cl, recs, errs, pending); err != nil {
			return err
		}
		if err := w.isolateTooLarge(ctx, cl, recs, errs, pending); err != nil {
			return err
		}
		var cause error
		if pending, cause = retainTransient(pending, errs); len(pending) == 0 {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.metrics.retried(len(pending))
		if !w.retrying.Swap(true) {
			w.log.Warnf("Producing to kafka failed transiently, retrying until it succeeds: %v", cause)
		}
		if needsNewClient(cause) || failed+1 >= clientResetRounds {
			cl, failed = w.replaceClient(cl), 0
		} else if cur := w.currentClient(); cur != nil {
			cl = cur
		}
		if cl == nil {
			return service.ErrNotConnected
		}
		if err := sleepCtx(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, w.conf.retryMax)
	}
	if w.retrying.Load() && w.retrying.Swap(false) {
		w.log.Info("Producing to kafka recovered")
	}
	w.metrics.batchDone(recs, errs, started)
	return batchError(batch, errs)
}

// produceRound produces recs[idx...] and stores each outcome in errs. It
// returns ctx's error if the context ends first.
func produceRound(ctx context.Context, cl *kgo.Client, recs []kgo.Record, errs []error, idx []int) error {
	r := &round{recs: recs, errs: errs, done: make(chan struct{})}
	r.left.Store(int64(len(idx)))
	promise := r.promise // one method value for the round, not one per record
	for _, i := range idx {
		errs[i] = nil
		cl.Produce(ctx, &recs[i], promise)
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		// Idempotent records already sent cannot be failed safely, so
		// franz-go may hold them: stop waiting and let the input nack.
		return ctx.Err()
	}
}

// round collects the outcomes of one produceRound. One promise serves every
// record of the round: it finds the record's index from its address in
// recs, which saves a closure allocation per record.
type round struct {
	recs []kgo.Record
	errs []error
	left atomic.Int64
	done chan struct{}
}

func (r *round) promise(rec *kgo.Record, err error) {
	r.errs[r.index(rec)] = err
	if r.left.Add(-1) == 0 {
		close(r.done)
	}
}

// index is the position of rec in r.recs; rec always points into it.
func (r *round) index(rec *kgo.Record) int {
	off := uintptr(unsafe.Pointer(rec)) - uintptr(unsafe.Pointer(unsafe.SliceData(r.recs)))
	return int(off / unsafe.Sizeof(kgo.Record{}))
}

// retainTransient keeps the indexes whose error is worth retrying and
// returns one such error as the cause.
func retainTransient(idx []int, errs []error) (kept []int, cause error) {
	kept = idx[:0]
	for _, i := range idx {
		if errs[i] != nil && !isPermanent(errs[i]) {
			kept = append(kept, i)
			cause = errs[i]
		}
	}
	return kept, cause
}

// permanentErrs are the answers that mean Kafka will never take the record
// as it is: retrying cannot help, so the record fails (and, in the default
// config, goes to the dead-letter list).
var permanentErrs = []error{
	kerr.MessageTooLarge,
	kerr.RecordListTooLarge,
	kerr.InvalidTopicException,
	kerr.InvalidRecord,
	kerr.CorruptMessage,
	kerr.InvalidTimestamp,
	kerr.UnsupportedForMessageFormat,
	errRecordInvalid,
}

func isPermanent(err error) bool {
	for _, p := range permanentErrs {
		if errors.Is(err, p) {
			return true
		}
	}
	return false
}

// needsNewClient reports errors that mean the client's state no longer
// matches the cluster: producer id and sequence numbers, or topic IDs, from
// before the brokers were replaced by empty ones or a topic was recreated.
func needsNewClient(err error) bool {
	for _, e := range []error{
		kerr.UnknownProducerID, kerr.OutOfOrderSequenceNumber, kerr.InvalidProducerEpoch,
		kerr.InvalidProducerIDMapping, kerr.ProducerFenced, kerr.UnknownTopicID,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return strings.Contains(err.Error(), "unable to initialize a producer ID")
}

func batchError(batch service.MessageBatch, errs []error) error {
	var first error
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			if first == nil {
				first = err
			}
		}
	}
	if failed == 0 {
		return nil
	}
	be := service.NewBatchError(batch, fmt.Errorf("kafka refused %d of %d messages, first: %w", failed, len(batch), first))
	for i, err := range errs {
		if err != nil {
			be = be.Failed(i, err)
		}
	}
	return be
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close closes the client; buffered records fail with ErrClientClosed.
func (w *franzWriter) Close(context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.client != nil {
		w.client.Close()
		w.client = nil
	}
	w.closeSoloLocked()
	return nil
}

// isAuthErr reports whether a broker refused our credentials, which no
// quick retry will mend. Anything else (connection refused, timeouts, a
// broker still starting) is an outage retried every connectRetryWait.
func isAuthErr(err error) bool {
	for _, e := range []error{kerr.SaslAuthenticationFailed, kerr.UnsupportedSaslMechanism, kerr.IllegalSaslState,
		kerr.ClusterAuthorizationFailed, kerr.TopicAuthorizationFailed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
