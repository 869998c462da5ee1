package device

import (
	"fmt"

	"github.com/kafkastore/kafkastore/plugins/tracker"
)

// Exports for processors that fuse device_detect with other steps
// (plugins/event): the shared detector and its cached answers, with the
// metadata values boxed and the CGI fragments encoded once per user agent.

// Metadata keys device_detect sets (docs/design.md).
const (
	MetaDevice     = ddMetaDevice
	MetaPlatform   = ddMetaPlatform
	MetaDeviceName = ddMetaDeviceName
	MetaBotName    = ddMetaBotName
)

// DefaultCacheSize is device_detect's default cache_size.
const DefaultCacheSize = 50000

// Field is one of the four values a classification sets.
type Field uint8

// The fields, in the order device_detect sets them.
const (
	FieldDevice Field = iota
	FieldPlatform
	FieldDeviceName
	FieldBotName
	numFields
)

var fieldKeys = [numFields]string{MetaDevice, MetaPlatform, MetaDeviceName, MetaBotName}

// Key returns the metadata key of f.
func (f Field) Key() string {
	return fieldKeys[f]
}

// FieldOf returns the field whose metadata key is key.
func FieldOf(key string) (Field, bool) {
	for f, k := range fieldKeys {
		if k == key {
			return Field(f), true
		}
	}
	return 0, false
}

// Detector classifies user agents as device_detect does, through the
// matcher and sharded LRU cache that device_detect instances with the same
// regexes file and cache size share. It is safe for concurrent use.
type Detector struct {
	det     *detector
	release func()
}

// NewDetector returns the shared detector for regexesFile (empty: the
// embedded uap-core rules) and cacheSize (0: no cache). Close releases it.
func NewDetector(regexesFile string, cacheSize int) (*Detector, error) {
	if cacheSize < 0 {
		return nil, fmt.Errorf("cache_size %d is negative: use 0 to disable the cache", cacheSize)
	}
	det, release, err := acquireDetector(regexesFile, cacheSize)
	if err != nil {
		return nil, err
	}
	return &Detector{det: det, release: release}, nil
}

// Lookup classifies ua and reports whether the answer came from the cache
// (the empty user agent always counts as a hit, as in device_detect). On a
// miss the user agent is copied before it is classified and cached, so the
// cache never keeps alive the larger string ua may be part of.
func (d *Detector) Lookup(ua string) (Classified, bool) {
	c, hit := d.det.lookup(ua)
	return Classified{c}, hit
}

// Close releases the shared detector. It is safe to call more than once.
func (d *Detector) Close() {
	d.release()
}

// Classified is a cached classification. It is shared and read-only.
type Classified struct {
	c *classified
}

// Result returns the classification.
func (c Classified) Result() Result {
	return c.c.Result
}

// Value returns the metadata value device_detect sets for f, boxed once per
// classification so setting it does not allocate, or nil when device_detect
// deletes the key (unknown). FieldPlatform is never nil.
func (c Classified) Value(f Field) any {
	switch f {
	case FieldDevice:
		return c.c.device
	case FieldPlatform:
		return c.c.platform
	case FieldDeviceName:
		return c.c.deviceName
	default:
		return c.c.botName
	}
}

// CGIFragments are the four values of a classification as cgi_message
// writes them in META, indexed by Field: `key=value` with the value
// percent-encoded (tracker.AppendEscaped), or the bare key when device_detect
// leaves the key unset.
type CGIFragments [numFields]string

// CGI returns the classification's CGI fragments, encoded on first use and
// kept with the cached classification. They must not be modified.
func (c Classified) CGI() *CGIFragments {
	if frags := c.c.cgi.Load(); frags != nil {
		return frags
	}
	return c.c.encodeCGI()
}

// encodeCGI encodes and stores the four CGI fragments in one string.
// Concurrent first uses may both encode; the fragments are equal.
func (c *classified) encodeCGI() *CGIFragments {
	var buf []byte
	var ends [numFields]int
	for f := range numFields {
		buf = append(buf, fieldKeys[f]...)
		if v := c.Value(f); v != nil {
			buf = append(buf, '=')
			buf = tracker.AppendEscaped(buf, v.(string))
		}
		ends[f] = len(buf)
	}
	s := string(buf)
	frags := new(CGIFragments)
	start := 0
	for f := range numFields {
		frags[f] = s[start:ends[f]]
		start = ends[f]
	}
	c.cgi.Store(frags)
	return frags
}

// Value is Classified.Value on the unexported type.
func (c *classified) Value(f Field) any {
	return Classified{c}.Value(f)
}
