package device

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ua-parser/uap-go/uaparser"
	"gopkg.in/yaml.v3"

	"github.com/kafkastore/kafkastore/plugins/device/uamatch"
)

// newMatcher builds the uap-core matcher every classification runs on:
// plugins/device/uamatch, which answers exactly as uap-go does over the
// same rules, tens of times faster. uap-go only supplies the rules
// (uaparser.RegexDefinitions and its embedded regexes.yaml).
func newMatcher(defs uaparser.RegexDefinitions) (Parser, error) {
	return uamatch.New(defs)
}

// loadMatcher returns a matcher for the uap-core regexes.yaml at path, or
// for the copy embedded in uap-go when path is empty.
func loadMatcher(path string) (p Parser, err error) {
	doc, name := uaparser.DefinitionYaml, "embedded uap-core regexes"
	if path != "" {
		if doc, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("reading regexes file: %w", err)
		}
		name = fmt.Sprintf("regexes file %q", path)
	}
	var defs uaparser.RegexDefinitions
	if err := yaml.Unmarshal(doc, &defs); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", name, err)
	}
	if len(defs.UA) == 0 || len(defs.OS) == 0 || len(defs.Device) == 0 {
		return nil, fmt.Errorf("%s needs user_agent_parsers, os_parsers and device_parsers: is it a uap-core regexes.yaml?", name)
	}
	if p, err = newMatcher(defs); err != nil {
		return nil, fmt.Errorf("compiling %s: %w", name, err)
	}
	return p, nil
}

// classified is a Result with its metadata values boxed once, so that
// setting them on every message does not allocate. A nil value is unset.
type classified struct {
	Result
	device, platform, deviceName, botName any
	// cgi holds the CGI fragments of the four values, made on first use
	// (see Classified.CGI).
	cgi atomic.Pointer[CGIFragments]
}

func newClassified(r Result) *classified {
	c := &classified{Result: r, platform: r.Platform}
	if r.Device != "" {
		c.device = r.Device
	}
	if r.DeviceName != "" {
		c.deviceName = r.DeviceName
	}
	if r.BotName != "" {
		c.botName = r.BotName
	}
	return c
}

// emptyAgent is the classification of the empty user agent.
var emptyAgent = newClassified(Result{})

// detector classifies user agents through a result cache. It is safe for
// concurrent use.
type detector struct {
	parser Parser
	cache  *resultCache
}

// lookup classifies ua and reports whether the answer came from the cache.
// On a miss with a cache, ua is copied before it is classified and cached:
// it is often a substring of a whole batch's lines (tracker_line's
// metadata), which the cached key, or a device name cut from it, would
// otherwise keep alive.
func (d *detector) lookup(ua string) (*classified, bool) {
	if ua == "" {
		return emptyAgent, true
	}
	if c, ok := d.cache.get(ua); ok {
		return c, true
	}
	if d.cache != nil {
		ua = strings.Clone(ua)
	}
	c := newClassified(Classify(d.parser, ua))
	d.cache.put(ua, c)
	return c, false
}

// Benthos builds one processor per pipeline thread. They share one
// detector per (regexes file, cache size), so rules compile once and every
// thread profits from the others' cache misses.
var detectors = struct {
	sync.Mutex
	m map[detectorKey]*sharedDetector
}{m: map[detectorKey]*sharedDetector{}}

type detectorKey struct {
	regexesFile string
	cacheSize   int
}

type sharedDetector struct {
	det  *detector
	refs int
}

// acquireDetector returns the shared detector for regexesFile and
// cacheSize, building it on first use, and the function that releases it.
func acquireDetector(regexesFile string, cacheSize int) (*detector, func(), error) {
	key := detectorKey{regexesFile: regexesFile, cacheSize: cacheSize}
	detectors.Lock()
	defer detectors.Unlock()
	s, ok := detectors.m[key]
	if !ok {
		p, err := loadMatcher(regexesFile)
		if err != nil {
			return nil, nil, err
		}
		s = &sharedDetector{det: &detector{parser: p, cache: newResultCache(cacheSize)}}
		detectors.m[key] = s
	}
	s.refs++
	var once sync.Once
	release := func() {
		once.Do(func() {
			detectors.Lock()
			defer detectors.Unlock()
			if s.refs--; s.refs == 0 {
				delete(detectors.m, key)
			}
		})
	}
	return s.det, release, nil
}
