package main

import (
	"cmp"
	"context"
	"fmt"
	"os"

	"github.com/redis/go-redis/v9"
	"github.com/urfave/cli/v2"

	"github.com/kafkastore/kafkastore/plugins/ops"
)

// deadletterCommand is `kafkastore deadletter`: a thin adapter over
// plugins/ops.
func deadletterCommand() *cli.Command {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "url", Usage: "Redis URL (default: $REDIS_URL, then " + ops.DefaultRedisURL + ")"},
		&cli.StringFlag{Name: "queue", Usage: "queue list key (default: $QUEUE_KEY, then " + ops.DefaultQueueKey + ")"},
		&cli.StringFlag{Name: "invalid", Usage: "dead-letter list key (default: $INVALID_KEY, then " + ops.DefaultInvalidKey + ")"},
	}
	return &cli.Command{
		Name:  "deadletter",
		Usage: "Inspect, replay or purge the dead-letter list",
		Description: `Works on the lists of config/kafkastore.yaml: the dead-letter list
(INVALID_KEY, default click_invalid), the queue (QUEUE_KEY, default
click_queue) and the redis_list input's processing lists, on the server at
REDIS_URL. Typical use after a parser fix: stats, peek, then replay.`,
		Subcommands: []*cli.Command{
			{
				Name:  "stats",
				Usage: "Show list depths and dead letters grouped by parse error",
				Flags: append(flags, &cli.IntFlag{Name: "sample", Aliases: []string{"n"}, Value: 10000, Usage: "re-parse at most this many of the newest dead letters"}),
				Action: withRedis(func(c *cli.Context, rc redis.UniversalClient, k ops.Keys) error {
					_, err := ops.Stats(c.Context, rc, k, c.Int("sample"), c.App.Writer)
					return err
				}),
			},
			{
				Name:  "peek",
				Usage: "Print the newest dead letters with their parse errors",
				Flags: append(flags, &cli.IntFlag{Name: "n", Value: 10, Usage: "how many dead letters to print"}),
				Action: withRedis(func(c *cli.Context, rc redis.UniversalClient, k ops.Keys) error {
					_, err := ops.Peek(c.Context, rc, k, c.Int("n"), c.App.Writer)
					return err
				}),
			},
			{
				Name:  "replay",
				Usage: "Move dead letters back to the tail of the queue, oldest first",
				Flags: append(flags,
					&cli.Int64Flag{Name: "limit", Usage: "move at most this many (default: all)"},
					&cli.BoolFlag{Name: "dry-run", Usage: "only say how many would move"},
				),
				Action: withRedis(func(c *cli.Context, rc redis.UniversalClient, k ops.Keys) error {
					_, err := ops.Replay(c.Context, rc, k, ops.ReplayOptions{
						Limit: c.Int64("limit"), DryRun: c.Bool("dry-run"), Progress: c.App.ErrWriter,
					}, c.App.Writer)
					return err
				}),
			},
			{
				Name:  "purge",
				Usage: "Delete the dead-letter list (needs --yes)",
				Flags: append(flags, &cli.BoolFlag{Name: "yes", Usage: "really delete"}),
				Action: withRedis(func(c *cli.Context, rc redis.UniversalClient, k ops.Keys) error {
					_, err := ops.Purge(c.Context, rc, k, c.Bool("yes"), c.App.Writer)
					return err
				}),
			},
		},
	}
}

// withRedis resolves the URL and keys from flags and environment, connects,
// and runs fn. Errors go to stderr and exit with status 1.
func withRedis(fn func(*cli.Context, redis.UniversalClient, ops.Keys) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		url := cmp.Or(c.String("url"), os.Getenv("REDIS_URL"), ops.DefaultRedisURL)
		k := ops.Keys{
			Queue:   cmp.Or(c.String("queue"), os.Getenv("QUEUE_KEY"), ops.DefaultQueueKey),
			Invalid: cmp.Or(c.String("invalid"), os.Getenv("INVALID_KEY"), ops.DefaultInvalidKey),
		}
		redis.SetLogger(quietRedisLog{}) // errors are reported once, below
		rc, err := ops.Dial(c.Context, url)
		if err == nil {
			defer rc.Close()
			err = fn(c, rc, k)
		}
		if err != nil {
			return cli.Exit(fmt.Sprintf("deadletter %s: %v", c.Command.Name, err), 1)
		}
		return nil
	}
}

// quietRedisLog drops go-redis's own retry logs, which would repeat the
// error this command reports.
type quietRedisLog struct{}

func (quietRedisLog) Printf(context.Context, string, ...any) {}
