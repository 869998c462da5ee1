package ops

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/redis/go-redis/v9"
)

// replayChunk is how many elements one replay script moves: large enough to
// be fast, small enough not to block Redis for long (about a millisecond).
const replayChunk = 1000

// progressThreshold is the list length above which Replay draws a progress
// bar.
const progressThreshold = 1000

// replayScript moves up to ARGV[1] elements from the head of KEYS[1] to the
// tail of KEYS[2], one LMOVE each, and returns how many it moved. A script
// runs atomically, so a crash between chunks loses or duplicates nothing.
var replayScript = redis.NewScript(`
local n = tonumber(ARGV[1])
local moved = 0
while moved < n do
  if not redis.call('LMOVE', KEYS[1], KEYS[2], 'LEFT', 'RIGHT') then break end
  moved = moved + 1
end
return moved
`)

// ReplayOptions tunes Replay.
type ReplayOptions struct {
	Limit    int64     // most dead letters to move; 0 or less means all
	DryRun   bool      // count what would move, change nothing
	Progress io.Writer // where the progress bar goes for long lists; nil for none
}

// Replay moves dead letters, oldest first, from the head of the dead-letter
// list to the tail of the queue, so they reach the pipeline again in their
// original order after everything already queued. Each chunk moves
// atomically. It writes a final count to w and returns how many moved (or,
// with DryRun, would move). Lines that still fail are dead-lettered again.
func Replay(ctx context.Context, c redis.UniversalClient, k Keys, opts ReplayOptions, w io.Writer) (int64, error) {
	if k.Queue == k.Invalid {
		return 0, fmt.Errorf("the queue and the dead-letter list are the same key %q", k.Queue)
	}
	total, err := listLen(ctx, c, k.Invalid)
	if err != nil {
		return 0, err
	}
	if _, err := listLen(ctx, c, k.Queue); err != nil {
		return 0, err
	}
	if opts.Limit > 0 {
		total = min(total, opts.Limit)
	}
	if opts.DryRun {
		_, err := fmt.Fprintf(w, "dry run: would move %d dead letters from %q to the tail of %q\n", total, k.Invalid, k.Queue)
		return total, err
	}
	bar := newProgressBar(opts.Progress, total)
	var moved int64
	for moved < total {
		n, err := replayScript.Run(ctx, c, []string{k.Invalid, k.Queue}, min(replayChunk, total-moved)).Int64()
		if err != nil {
			bar.done()
			fmt.Fprintf(w, "moved %d dead letters from %q to %q before an error\n", moved, k.Invalid, k.Queue)
			return moved, fmt.Errorf("moving dead letters from %q to %q: %w", k.Invalid, k.Queue, err)
		}
		moved += n
		bar.set(moved)
		if n == 0 { // emptied meanwhile (another replay, a purge)
			break
		}
	}
	bar.done()
	_, err = fmt.Fprintf(w, "moved %d dead letters from %q to the tail of %q\n", moved, k.Invalid, k.Queue)
	return moved, err
}

// progressBar draws `[=====     ]  50% 500/1000` on one terminal line.
type progressBar struct {
	w     io.Writer
	total int64
	last  int
}

func newProgressBar(w io.Writer, total int64) *progressBar {
	if total <= progressThreshold {
		w = nil
	}
	p := &progressBar{w: w, total: total, last: -1}
	p.set(0)
	return p
}

func (p *progressBar) set(n int64) {
	if p.w == nil {
		return
	}
	pct := int(100 * n / p.total)
	if pct == p.last {
		return
	}
	p.last = pct
	const width = 40
	fill := width * pct / 100
	fmt.Fprintf(p.w, "\r[%s%s] %3d%% %d/%d", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), pct, n, p.total)
}

func (p *progressBar) done() {
	if p.w != nil {
		fmt.Fprintln(p.w)
	}
}
