// Package synth generates synthetic tracker lines for the demo, the
// benchmarks and the end-to-end tests: realistic user agents (phones,
// tablets, desktops, TVs, consoles, crawlers, in-app web views) with a Zipf
// popularity, public IPv4 and IPv6 addresses, several topics, and optionally
// a share of invalid lines.
package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Options tune a Generator. The zero value gives valid lines only, drawn
// from about 2,000 distinct user agents with a Zipf popularity.
type Options struct {
	// Seed makes the stream reproducible.
	Seed uint64
	// BadEvery, when positive, makes every BadEvery-th line invalid.
	BadEvery int
	// UniqueAgents gives every line a user agent never seen before, the
	// long tail of in-app builds at its worst.
	UniqueAgents bool
	// Now is the Unix time written into lines; zero means 1700000000.
	Now int64
	// Seq adds `seq=N` (N the line's 1-based number) to every valid line's
	// query, so tests can tell lines apart and count losses and duplicates.
	Seq bool
}

// Generator produces tracker lines. It is not safe for concurrent use.
type Generator struct {
	opts   Options
	rng    *rand.Rand
	zipf   *rand.Zipf
	agents []string
	n      int
}

// New returns a Generator.
func New(opts Options) *Generator {
	if opts.Now == 0 {
		opts.Now = 1700000000
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	agents := Agents()
	return &Generator{
		opts:   opts,
		rng:    rng,
		zipf:   rand.NewZipf(rng, 1.1, 2, uint64(len(agents)-1)),
		agents: agents,
	}
}

var (
	topics  = []string{"clicks", "clicks", "clicks", "impressions", "installs"}
	paths   = []string{"/t/click", "/t/imp", "/t/install", "/c/r", "/t/event"}
	queries = []string{"p", "c=1234&s=web", "cid=88&adgroup=7&kw=red%20shoes", "f=e&g=h", "campaign=summer&src=fb&sub=a1b2c3"}
	// Addresses in ranges the GeoIP test fixtures know, plus others.
	ipv4Prefixes = []string{"81.2.69.", "89.160.20.", "8.8.8.", "175.16.199.", "216.160.83.", "2.125.160.", "67.43.156.", "202.196.224."}
	ipv6Prefixes = []string{"2a02:ec80::", "2001:480::", "2001:218::", "2a02:cf40::"}
)

// Line returns the next line, without a trailing newline.
func (g *Generator) Line() string {
	g.n++
	if g.opts.BadEvery > 0 && g.n%g.opts.BadEvery == 0 {
		return g.badLine()
	}
	var ip string
	if g.rng.IntN(10) == 0 {
		ip = ipv6Prefixes[g.rng.IntN(len(ipv6Prefixes))] + strconv.FormatUint(uint64(g.rng.IntN(0xffff)+1), 16)
	} else {
		ip = ipv4Prefixes[g.rng.IntN(len(ipv4Prefixes))] + strconv.Itoa(g.rng.IntN(254)+1)
	}
	ua := g.agents[g.zipf.Uint64()]
	if g.opts.UniqueAgents {
		ua = fmt.Sprintf("%s [FBAN/FBIOS;FBAV/%d.0.0.%d.%d;FBBV/%d]", ua, 400+g.n%97, g.n%61, g.n/61%89, 100000000+g.n)
	}
	var b strings.Builder
	b.Grow(64 + len(ua))
	b.WriteString(ip)
	b.WriteByte(' ')
	b.WriteString(strconv.FormatInt(g.opts.Now, 10))
	b.WriteByte(' ')
	b.WriteString(topics[g.rng.IntN(len(topics))])
	b.WriteByte(' ')
	b.WriteString(paths[g.rng.IntN(len(paths))])
	b.WriteByte(' ')
	q := queries[g.rng.IntN(len(queries))]
	if g.opts.Seq {
		if q == "p" {
			q = ""
		} else {
			q += "&"
		}
		q += "seq=" + strconv.Itoa(g.n)
	}
	b.WriteString(q)
	b.WriteByte(' ')
	b.WriteString(ua)
	return b.String()
}

func (g *Generator) badLine() string {
	switch g.rng.IntN(5) {
	case 0:
		return "garbage"
	case 1:
		return "81.2.69.160 " + strconv.FormatInt(g.opts.Now, 10) + " clicks"
	case 2:
		return "81.2.69.160 yesterday clicks /t/click p Mozilla/5.0"
	case 3:
		return "999.1.1.1 " + strconv.FormatInt(g.opts.Now, 10) + " clicks /t/click p curl/8.0"
	default:
		return "not-an-ip " + strconv.FormatInt(g.opts.Now, 10) + " clicks /t/click p"
	}
}

// SeqOf returns the N of `seq=N` in a query or message, or -1.
func SeqOf(s string) int {
	i := strings.LastIndex(s, "seq=")
	if i < 0 {
		return -1
	}
	j := i + 4
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(s[i+4 : j])
	if err != nil {
		return -1
	}
	return n
}

// IsBad reports whether the n-th line (1-based) of a generator with these
// options is invalid.
func (o Options) IsBad(n int) bool { return o.BadEvery > 0 && n%o.BadEvery == 0 }
