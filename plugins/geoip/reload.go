package geoip

import (
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// fileStamp is what the reloader compares to notice a new file.
type fileStamp struct {
	modTime time.Time
	size    int64
}

func stampOf(fi os.FileInfo) fileStamp {
	return fileStamp{modTime: fi.ModTime(), size: fi.Size()}
}

// reloader polls a database file and swaps in a new database when its
// modification time or size changes. Lookups keep using the database they
// loaded from current, so a swap never fails or blocks them; the old reader
// holds no file or mapping and is left to the garbage collector.
type reloader struct {
	path     string
	schema   schema
	extras   extras
	interval time.Duration
	current  *atomic.Pointer[database]
	log      *service.Logger
	onLoad   func(*database)

	last    fileStamp // the file last loaded, or last refused
	failing bool      // a problem was logged and has not cleared yet

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

func newReloader(path string, s schema, ex extras, interval time.Duration, current *atomic.Pointer[database],
	stamp fileStamp, log *service.Logger, onLoad func(*database),
) *reloader {
	r := &reloader{
		path: path, schema: s, extras: ex, interval: interval, current: current, log: log, onLoad: onLoad,
		last: stamp, stop: make(chan struct{}), done: make(chan struct{}),
	}
	go r.loop()
	return r
}

func (r *reloader) loop() {
	defer close(r.done)
	ticker := time.NewTicker(r.interval)
	defer ticker.Stop()
	for {
		select {
		case <-r.stop:
			return
		case <-ticker.C:
			r.check()
		}
	}
}

// check reloads the file if it changed. Problems are logged once until the
// file changes again; the database in use stays in use.
func (r *reloader) check() {
	fi, err := os.Stat(r.path)
	if err != nil {
		if !r.failing {
			r.log.Errorf("Checking geoip database %q for changes: %v; keeping the loaded database", r.path, err)
			r.failing = true
		}
		return
	}
	if stampOf(fi) == r.last {
		return
	}
	db, stamp, err := openDatabase(r.path, r.schema, r.extras)
	if err != nil {
		// Remember the refused file, so it is logged once, not every tick.
		r.last = stampOf(fi)
		r.log.Errorf("Reloading geoip database: %v; keeping the loaded database", err)
		r.failing = true
		return
	}
	r.last = stamp
	r.failing = false
	r.current.Store(db)
	r.onLoad(db)
	r.log.Infof("Reloaded geoip database %q (%s, built %s)", r.path, db.dbType,
		time.Unix(int64(db.buildEpoch), 0).UTC().Format(time.RFC3339))
}

// close stops the polling goroutine and waits for it to finish.
func (r *reloader) close() {
	r.stopOnce.Do(func() { close(r.stop) })
	<-r.done
}
