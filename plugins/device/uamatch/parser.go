package uamatch

import (
	"fmt"
	"sync"

	"github.com/ua-parser/uap-go/uaparser"
	"gopkg.in/yaml.v3"
)

// Parser matches user agents against uap-core rules. It is safe for
// concurrent use and keeps no result cache.
type Parser struct {
	rules    []rule // OS rules, then device rules, then user-agent rules
	devStart int    // first device rule
	uaStart  int    // first user-agent rule
	ac       *automaton
	lits     []string  // literal id -> literal
	triggers [][]int32 // literal id -> rules whose requirement it may satisfy
	always   []uint64  // bitset of rules with no requirement
	pool     sync.Pool
}

// NewDefault returns a Parser for the uap-core rules embedded in uap-go
// (uaparser.DefinitionYaml), the same rules uaparser.New() uses.
func NewDefault() (*Parser, error) {
	return NewFromYAML(uaparser.DefinitionYaml)
}

// NewFromYAML returns a Parser for a uap-core regexes.yaml document.
func NewFromYAML(doc []byte) (*Parser, error) {
	var defs uaparser.RegexDefinitions
	if err := yaml.Unmarshal(doc, &defs); err != nil {
		return nil, fmt.Errorf("decoding uap-core regexes: %w", err)
	}
	return New(defs)
}

// New returns a Parser for defs. defs is only read: it may be shared with a
// uaparser.Parser.
func New(defs uaparser.RegexDefinitions) (*Parser, error) {
	b := newBuilder()
	for i, d := range defs.OS {
		err := b.add(d.Expr, d.Flags, [5]template{
			newTemplate(d.OSReplacement, "$1"), newTemplate(d.V1Replacement, "$2"),
			newTemplate(d.V2Replacement, "$3"), newTemplate(d.V3Replacement, "$4"),
			newTemplate(d.V4Replacement, "$5"),
		})
		if err != nil {
			return nil, fmt.Errorf("os_parsers[%d]: %w", i, err)
		}
	}
	devStart := len(b.rules)
	for i, d := range defs.Device {
		err := b.add(d.Expr, d.Flags, [5]template{
			newTemplate(d.DeviceReplacement, "$1"), newTemplate(d.BrandReplacement, ""),
			newTemplate(d.ModelReplacement, "$1"),
		})
		if err != nil {
			return nil, fmt.Errorf("device_parsers[%d]: %w", i, err)
		}
	}
	uaStart := len(b.rules)
	for i, d := range defs.UA {
		err := b.add(d.Expr, d.Flags, [5]template{
			newTemplate(d.FamilyReplacement, "$1"), newTemplate(d.V1Replacement, "$2"),
			newTemplate(d.V2Replacement, "$3"), newTemplate(d.V3Replacement, "$4"),
		})
		if err != nil {
			return nil, fmt.Errorf("user_agent_parsers[%d]: %w", i, err)
		}
	}
	p := b.build()
	p.devStart, p.uaStart = devStart, uaStart
	p.pool.New = func() any { return newScratch(p) }
	return p, nil
}

// Parse returns the user agent, OS and device of ua, as uaparser.Parser.Parse.
func (p *Parser) Parse(ua string) *uaparser.Client {
	a := p.Prepare(ua)
	defer a.Release()
	return &uaparser.Client{UserAgent: a.UserAgent(), Os: a.Os(), Device: a.Device()}
}

// ParseOs returns the OS of ua, as uaparser.Parser.ParseOs.
func (p *Parser) ParseOs(ua string) *uaparser.Os {
	a := p.Prepare(ua)
	defer a.Release()
	return a.Os()
}

// ParseDevice returns the device of ua, as uaparser.Parser.ParseDevice.
func (p *Parser) ParseDevice(ua string) *uaparser.Device {
	a := p.Prepare(ua)
	defer a.Release()
	return a.Device()
}

// ParseUserAgent returns the browser or client of ua, as
// uaparser.Parser.ParseUserAgent.
func (p *Parser) ParseUserAgent(ua string) *uaparser.UserAgent {
	a := p.Prepare(ua)
	defer a.Release()
	return a.UserAgent()
}

// Agent is a user agent prepared for several lookups: the scan for
// literals, about a third of a lookup's cost, is done once by Prepare and
// shared by them. An Agent is not safe for concurrent use and must not be
// used after Release.
type Agent struct {
	p  *Parser
	sc *scratch
	ua string
}

// Prepare scans ua for the lookups of the returned Agent. Call Release
// when done with it.
func (p *Parser) Prepare(ua string) *Agent {
	sc := p.prepare(ua)
	sc.agent = Agent{p: p, sc: sc, ua: ua}
	return &sc.agent
}

// Release returns the Agent's working memory to its Parser.
func (a *Agent) Release() {
	p, sc := a.p, a.sc
	sc.agent = Agent{}
	p.release(sc)
}

// Os returns the OS of the agent, as uaparser.Parser.ParseOs.
func (a *Agent) Os() *uaparser.Os { return a.p.os(a.sc, a.ua) }

// Device returns the device of the agent, as uaparser.Parser.ParseDevice.
func (a *Agent) Device() *uaparser.Device { return a.p.device(a.sc, a.ua) }

// UserAgent returns the browser or client of the agent, as
// uaparser.Parser.ParseUserAgent.
func (a *Agent) UserAgent() *uaparser.UserAgent { return a.p.userAgent(a.sc, a.ua) }

// OsFamily returns the OS family of the agent, Os().Family, without
// expanding the version fields.
func (a *Agent) OsFamily() string {
	p, sc, ua := a.p, a.sc, a.ua
	family := ""
	p.match(sc, ua, 0, p.devStart, func(r *rule, m []int) bool {
		family = r.value(sc, r.tmpl[0], ua, m, false)
		return family != ""
	})
	if family == "" {
		return "Other"
	}
	return family
}

// UserAgentFamily returns the browser or client family of the agent,
// UserAgent().Family, without expanding the version fields.
func (a *Agent) UserAgentFamily() string {
	p, sc, ua := a.p, a.sc, a.ua
	family := ""
	p.match(sc, ua, p.uaStart, len(p.rules), func(r *rule, m []int) bool {
		family = r.value(sc, r.tmpl[0], ua, m, false)
		return family != ""
	})
	if family == "" {
		return "Other"
	}
	return family
}

// prepare finds the literals of ua and so the candidate rules.
func (p *Parser) prepare(ua string) *scratch {
	sc := p.pool.Get().(*scratch)
	copy(sc.cand, p.always)
	p.ac.scan(ua, sc)
	return sc
}

func (p *Parser) release(sc *scratch) {
	sc.reset()
	p.pool.Put(sc)
}

// The three lookups below mirror uap-go: a match whose family expands to
// the empty string does not stop the search but its fields stay, and the
// family defaults to "Other".

func (p *Parser) os(sc *scratch, ua string) *uaparser.Os {
	os := new(uaparser.Os)
	p.match(sc, ua, 0, p.devStart, func(r *rule, m []int) bool {
		os.Family = r.value(sc, r.tmpl[0], ua, m, false)
		os.Major = r.value(sc, r.tmpl[1], ua, m, false)
		os.Minor = r.value(sc, r.tmpl[2], ua, m, false)
		os.Patch = r.value(sc, r.tmpl[3], ua, m, false)
		os.PatchMinor = r.value(sc, r.tmpl[4], ua, m, false)
		return os.Family != ""
	})
	if os.Family == "" {
		os.Family = "Other"
	}
	return os
}

func (p *Parser) device(sc *scratch, ua string) *uaparser.Device {
	dvc := new(uaparser.Device)
	p.match(sc, ua, p.devStart, p.uaStart, func(r *rule, m []int) bool {
		dvc.Family = r.value(sc, r.tmpl[0], ua, m, true)
		dvc.Brand = r.value(sc, r.tmpl[1], ua, m, true)
		dvc.Model = r.value(sc, r.tmpl[2], ua, m, true)
		return dvc.Family != ""
	})
	if dvc.Family == "" {
		dvc.Family = "Other"
	}
	return dvc
}

func (p *Parser) userAgent(sc *scratch, ua string) *uaparser.UserAgent {
	res := new(uaparser.UserAgent)
	p.match(sc, ua, p.uaStart, len(p.rules), func(r *rule, m []int) bool {
		res.Family = r.value(sc, r.tmpl[0], ua, m, false)
		res.Major = r.value(sc, r.tmpl[1], ua, m, false)
		res.Minor = r.value(sc, r.tmpl[2], ua, m, false)
		res.Patch = r.value(sc, r.tmpl[3], ua, m, false)
		return res.Family != ""
	})
	if res.Family == "" {
		res.Family = "Other"
	}
	return res
}
