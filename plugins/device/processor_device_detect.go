package device

import (
	"context"
	"fmt"
	"regexp"

	"github.com/redpanda-data/benthos/v4/public/service"
)

const (
	ddFieldUserAgent   = "user_agent"
	ddFieldCacheSize   = "cache_size"
	ddFieldRegexesFile = "regexes_file"

	ddMetaDevice     = "device"
	ddMetaPlatform   = "platform"
	ddMetaDeviceName = "device_name"
	ddMetaBotName    = "bot_name"
)

func deviceDetectSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Categories("Parsing").
		Summary("Detects the device type, platform, device model and crawler name from a user agent, and writes them to metadata.").
		Description(deviceDetectDescription).
		Field(service.NewInterpolatedStringField(ddFieldUserAgent).
			Description("The user agent to classify. A missing metadata key reads as the empty user agent.").
			Default("${! @user_agent }")).
		Field(service.NewIntField(ddFieldCacheSize).
			Description("How many user agents to remember with their answer, shared by all pipeline threads. Matching a new user agent costs tens of microseconds, a remembered one well under one. 0 disables the cache.").
			Default(DefaultCacheSize).
			Advanced().
			LintRule(`root = if this < 0 { ["cache_size must not be negative"] }`)).
		Field(service.NewStringField(ddFieldRegexesFile).
			Description("Path of a uap-core `regexes.yaml` to use instead of the copy embedded in the binary. Empty uses the embedded rules.").
			Default("").
			Advanced()).
		Example("Classify the tracker's user agent", "The default reads the `user_agent` metadata that `tracker_line` sets.", `
pipeline:
  processors:
    - tracker_line: {}
    - device_detect: {}
`)
}

const deviceDetectDescription = `
Every message gets the metadata below. The matching uses the
[uap-core](https://github.com/ua-parser/uap-core) rules; the names follow the
original DeviceDetector and are part of the contract with ` + "`cgi_message`" + `.

| metadata | value |
|---|---|
| ` + "`device`" + ` | ` + "`smartphone`, `tablet`, `desktop`, `tv`, `console`, `wearable`, `feature phone`, `car`, `smart speaker`" + `; unset when unknown and for crawlers |
| ` + "`platform`" + ` | lower-case OS name (table below); always set, the empty string when unknown and for crawlers |
| ` + "`device_name`" + ` | uap-core device model, e.g. ` + "`iPhone`, `Moto G (4)`, `SM-G991B`" + `; unset when unknown or generic |
| ` + "`bot_name`" + ` | crawler name, e.g. ` + "`Googlebot`, `bingbot`, `AhrefsBot`" + `; unset for people |

A user agent that uap-core calls a Spider is a crawler: it gets ` + "`bot_name`" + `
(` + "`Generic Bot`" + ` when uap-core cannot name it), ` + "`platform`" + ` empty and no
` + "`device`" + ` or ` + "`device_name`" + `.

### Device rules (first match wins)

| user agent | device |
|---|---|
| Tesla or QtCarBrowser | ` + "`car`" + ` |
| PlayStation, Xbox, Nintendo | ` + "`console`" + ` |
| Chromecast smart speaker | ` + "`smart speaker`" + ` |
| TV: SmartTV, Smart-TV, HbbTV, AppleTV/tvOS, Roku, BRAVIA, GoogleTV, Android TV, Fire TV (AFT* models), webOS TV, Tizen TV, CrKey, NetCast | ` + "`tv`" + ` |
| watchOS, Wear OS, Meta Quest | ` + "`wearable`" + ` |
| iPhone, iPod | ` + "`smartphone`" + ` |
| iPad (also asking for the desktop site from an app) | ` + "`tablet`" + ` |
| Android, Fire OS, HarmonyOS with ` + "`Mobile`" + ` | ` + "`smartphone`" + ` |
| Android app without ` + "`Mobile`" + ` (Dalvik, Instagram's client) | ` + "`smartphone`" + ` |
| Android, Fire OS, HarmonyOS without ` + "`Mobile`" + ` | ` + "`tablet`" + ` |
| iOS naming neither iPhone, iPod nor iPad (CFNetwork apps) | unset |
| Windows Phone, Windows Mobile, BlackBerry OS, Symbian | ` + "`smartphone`" + ` |
| BlackBerry Tablet OS | ` + "`tablet`" + ` |
| KaiOS, Brew, Series 40 | ` + "`feature phone`" + ` |
| GNU/Linux with ` + "`Mobile`" + ` | ` + "`smartphone`" + ` |
| Windows, Mac, GNU/Linux, Chrome OS, FreeBSD, OpenBSD, NetBSD, Solaris | ` + "`desktop`" + ` |
| Firefox OS, Tizen, Sailfish, MeeGo, Maemo, webOS, Bada with ` + "`Tablet`" + ` / ` + "`Mobile`" + ` | ` + "`tablet`" + ` / ` + "`smartphone`" + ` |
| uap-core Generic Smartphone / Generic Tablet | ` + "`smartphone`" + ` / ` + "`tablet`" + ` |
| uap-core Generic Feature Phone, MIDP, J2ME | ` + "`feature phone`" + ` |
| anything else, the empty user agent | unset |

In-app web views (Facebook's FBAN/FBAV, Instagram, Android's ` + "`wv`" + `) classify
like the device they run on.

### Platforms

| uap-core OS | platform |
|---|---|
| iOS; no OS but an iPhone, iPad or iPod | ` + "`ios`" + ` |
| Android | ` + "`android`" + `, or ` + "`fire os`" + ` (Amazon: Silk, KF*, AFT*), ` + "`harmonyos`" + `, ` + "`wear os`" + ` |
| Windows (every version) | ` + "`windows`" + ` |
| Mac OS X, Mac OS | ` + "`mac`" + ` |
| Linux, Ubuntu, Debian, Fedora, Red Hat, CentOS, SUSE, Mint, Arch, Gentoo, other distributions | ` + "`gnu/linux`" + ` |
| Chrome OS | ` + "`chrome os`" + ` |
| Windows Phone / Windows Mobile | ` + "`windows phone`" + ` / ` + "`windows mobile`" + ` |
| BlackBerry OS / BlackBerry Tablet OS | ` + "`blackberry os`" + ` / ` + "`blackberry tablet os`" + ` |
| tvOS, Apple TV / watchOS | ` + "`tvos`" + ` / ` + "`watchos`" + ` |
| Tizen, KaiOS, webOS, FreeBSD, OpenBSD, NetBSD, Solaris, Firefox OS, Sailfish, MeeGo, Maemo, Bada | the name lower-cased (` + "`sailfish os`" + `) |
| Symbian OS / Symbian^3 / Series 40 | ` + "`symbian os`" + ` / ` + "`symbian^3`" + ` / ` + "`symbian os series 40`" + ` |
| Brew, GoogleTV, WebTV, Chromecast Fuchsia | ` + "`brew`, `google tv`, `webtv`, `fuchsia`" + ` |
| PlayStation / PSP, Vita / Xbox / Nintendo / Nintendo DS, 3DS | ` + "`playstation`" + ` / ` + "`playstation portable`" + ` / ` + "`xbox`" + ` / ` + "`nintendo`" + ` / ` + "`nintendo mobile`" + ` |
| Roku | ` + "`roku os`" + ` |
| Other, anything unlisted | empty string |

Answers are cached per user agent in a sharded LRU cache that all pipeline
threads share; the metrics ` + "`device_cache_hits`" + ` and ` + "`device_cache_misses`" + `
count its use.`

func init() {
	service.MustRegisterBatchProcessor("device_detect", deviceDetectSpec(),
		func(conf *service.ParsedConfig, mgr *service.Resources) (service.BatchProcessor, error) {
			return newDeviceDetectFromConfig(conf, mgr)
		})
}

// deviceDetect is the device_detect processor. Instances built with the
// same regexes file and cache size share one matcher and one cache.
type deviceDetect struct {
	userAgent *service.InterpolatedString
	// metaKey is set when userAgent is just "${! @key }": the key is then
	// read directly, without running the interpolation.
	metaKey string
	det     *detector
	release func()
	hits    *service.MetricCounter
	misses  *service.MetricCounter
}

func newDeviceDetectFromConfig(conf *service.ParsedConfig, mgr *service.Resources) (*deviceDetect, error) {
	userAgent, err := conf.FieldString(ddFieldUserAgent)
	if err != nil {
		return nil, err
	}
	cacheSize, err := conf.FieldInt(ddFieldCacheSize)
	if err != nil {
		return nil, err
	}
	regexesFile, err := conf.FieldString(ddFieldRegexesFile)
	if err != nil {
		return nil, err
	}
	return newDeviceDetect(userAgent, cacheSize, regexesFile, mgr.Metrics())
}

// metaRefExpr matches an interpolation that only reads one metadata key.
var metaRefExpr = regexp.MustCompile(`^\$\{!\s*@([A-Za-z0-9_.\-]+)\s*\}$`)

// newDeviceDetect returns a device_detect processor reading the user agent
// from the interpolation userAgent. cacheSize 0 disables caching; an empty
// regexesFile uses the embedded uap-core rules. metrics may be nil.
func newDeviceDetect(userAgent string, cacheSize int, regexesFile string, metrics *service.Metrics) (*deviceDetect, error) {
	if cacheSize < 0 {
		return nil, fmt.Errorf("cache_size %d is negative: use 0 to disable the cache", cacheSize)
	}
	ua, err := service.NewInterpolatedString(userAgent)
	if err != nil {
		return nil, fmt.Errorf("parsing user_agent interpolation: %w", err)
	}
	det, release, err := acquireDetector(regexesFile, cacheSize)
	if err != nil {
		return nil, err
	}
	d := &deviceDetect{userAgent: ua, det: det, release: release}
	if m := metaRefExpr.FindStringSubmatch(userAgent); m != nil {
		d.metaKey = m[1]
	}
	if metrics != nil {
		d.hits = metrics.NewCounter("device_cache_hits")
		d.misses = metrics.NewCounter("device_cache_misses")
	}
	return d, nil
}

// ProcessBatch sets the device metadata on every message of the batch,
// leaving messages that failed an earlier step as they are.
func (d *deviceDetect) ProcessBatch(_ context.Context, batch service.MessageBatch) ([]service.MessageBatch, error) {
	var hits, misses int64
	var exec *service.MessageBatchInterpolationExecutor
	if d.metaKey == "" {
		exec = batch.InterpolationExecutor(d.userAgent)
	}
	for i, msg := range batch {
		if msg.GetError() != nil {
			continue // failed an earlier step: left as it is
		}
		var ua string
		if exec == nil {
			ua, _ = msg.MetaGet(d.metaKey)
		} else {
			var err error
			if ua, err = exec.TryString(i); err != nil {
				msg.SetError(fmt.Errorf("reading user agent: %w", err))
				continue
			}
		}
		c, hit := d.det.lookup(ua)
		if hit {
			hits++
		} else {
			misses++
		}
		setMeta(msg, ddMetaDevice, c.device)
		msg.MetaSetMut(ddMetaPlatform, c.platform)
		setMeta(msg, ddMetaDeviceName, c.deviceName)
		setMeta(msg, ddMetaBotName, c.botName)
	}
	if d.hits != nil && hits > 0 {
		d.hits.Incr(hits)
	}
	if d.misses != nil && misses > 0 {
		d.misses.Incr(misses)
	}
	return []service.MessageBatch{batch}, nil
}

// setMeta sets key to v, or deletes it when v is nil (unknown), so a stale
// value from an earlier run never survives.
func setMeta(msg *service.Message, key string, v any) {
	if v == nil {
		msg.MetaDelete(key)
		return
	}
	msg.MetaSetMut(key, v)
}

// Close releases the shared matcher and cache.
func (d *deviceDetect) Close(context.Context) error {
	d.release()
	return nil
}
