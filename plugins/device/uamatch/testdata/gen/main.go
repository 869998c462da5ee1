// Command gen writes the uamatch differential-test corpus: synthesised user
// agents from templates (phones, tablets, desktops, TVs, consoles, watches,
// crawlers, in-app web views, HTTP libraries, garbage) plus, for every regex
// of uap-go's embedded uap-core rules, strings synthesised from the regex's
// syntax tree, alone and embedded in realistic context.
//
//	go run ./plugins/device/uamatch/testdata/gen -o plugins/device/uamatch/testdata/corpus.txt
//
// The output is deterministic (fixed seed), de-duplicated and free of
// newlines, one user agent per line.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/ua-parser/uap-go/uaparser"
	"gopkg.in/yaml.v3"
)

const (
	templateCount = 12000 // template-made agents before de-duplication
	variants      = 8     // synthesis attempts per regex
)

// contexts embed a synthesised fragment in a realistic agent.
var contexts = []string{
	"%s",
	"Mozilla/5.0 (Linux; Android 12; %s) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) %s Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) %s",
	"%s (compatible; +http://example.com/info)",
}

func main() {
	out := flag.String("o", "", "output file (default stdout)")
	flag.Parse()
	w := os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			log.Fatalf("creating %q: %v", *out, err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriter(w)
	seen := map[string]bool{}
	emit := func(s string) {
		if strings.ContainsAny(s, "\r\n") || seen[s] {
			return
		}
		seen[s] = true
		bw.WriteString(s)
		bw.WriteByte('\n')
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, s := range garbage {
		emit(s)
	}
	for range templateCount {
		emit(fromTemplate(rng))
	}
	missed, err := fromRegexes(rng, emit)
	if err != nil {
		log.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		log.Fatalf("writing corpus: %v", err)
	}
	fmt.Fprintf(os.Stderr, "%d agents; %d regexes without a matching sample\n", len(seen), missed)
}

var bots = strings.NewReplacer("%s", "120.0.6099.71", "%d", "1")

func fromTemplate(rng *rand.Rand) string {
	switch n := rng.IntN(100); {
	case n < 22:
		return iosApp(rng, "iPhone", pick(rng, iosVersions))
	case n < 28:
		return iosApp(rng, "iPad", pick(rng, iosVersions))
	case n < 55:
		return android(rng, pick(rng, androidPhones), false)
	case n < 63:
		return android(rng, pick(rng, androidTablets), true)
	case n < 85:
		return desktop(rng)
	case n < 87:
		s := others[11](rng) // crawlers carry placeholders for versions
		return bots.Replace(s)
	}
	return pick(rng, others)(rng)
}

// fromRegexes emits synthesised strings for every rule and returns how many
// rules got no sample that the rule itself matches.
func fromRegexes(rng *rand.Rand, emit func(string)) (int, error) {
	var defs uaparser.RegexDefinitions
	if err := yaml.Unmarshal(uaparser.DefinitionYaml, &defs); err != nil {
		return 0, fmt.Errorf("decoding uap-core regexes: %w", err)
	}
	var exprs []string
	add := func(expr, flags string) {
		if flags != "" {
			expr = "(?" + flags + ")" + expr
		}
		exprs = append(exprs, expr)
	}
	for _, d := range defs.UA {
		add(d.Expr, d.Flags)
	}
	for _, d := range defs.OS {
		add(d.Expr, d.Flags)
	}
	for _, d := range defs.Device {
		add(d.Expr, d.Flags)
	}
	missed := 0
	for _, expr := range exprs {
		ok, err := sample(rng, expr, emit)
		if err != nil {
			return 0, err
		}
		if !ok {
			missed++
			fmt.Fprintf(os.Stderr, "no sample for %s\n", strconv.Quote(expr))
		}
	}
	return missed, nil
}

// sample emits variants of expr, each in a random context, and reports
// whether at least one of them matches expr.
func sample(rng *rand.Rand, expr string, emit func(string)) (bool, error) {
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return false, fmt.Errorf("parsing %q: %w", expr, err)
	}
	re := regexp.MustCompile(expr)
	matched := false
	for i := range variants {
		var sb strings.Builder
		synth(rng, tree, &sb)
		frag := sb.String()
		ctx := contexts[i%len(contexts)]
		if i == 0 {
			ctx = "%s"
		}
		s := fmt.Sprintf(ctx, frag)
		if !re.MatchString(s) && re.MatchString(frag) {
			s = frag // anchored rules only match alone
		}
		matched = matched || re.MatchString(s)
		emit(s)
	}
	return matched, nil
}
