package device

import (
	"strings"

	"github.com/ua-parser/uap-go/uaparser"

	"github.com/kafkastore/kafkastore/plugins/device/uamatch"
)

// Device types, the lower-case device type names of the original
// DeviceDetector. They are part of the metadata contract.
const (
	DeviceUnknown      = ""
	DeviceSmartphone   = "smartphone"
	DeviceTablet       = "tablet"
	DeviceDesktop      = "desktop"
	DeviceTV           = "tv"
	DeviceConsole      = "console"
	DeviceWearable     = "wearable"
	DeviceFeaturePhone = "feature phone"
	DeviceCar          = "car"
	DeviceSmartSpeaker = "smart speaker"
)

// genericBotName names a crawler whose user agent uap-core cannot name.
const genericBotName = "Generic Bot"

// Parser is the uap-core matcher a classification runs on. uap-go's
// *uaparser.Parser satisfies it, and so does the faster
// plugins/device/uamatch matcher. Implementations must be safe for
// concurrent use and must treat the values they return as read-only.
type Parser interface {
	ParseOs(ua string) *uaparser.Os
	ParseDevice(ua string) *uaparser.Device
	ParseUserAgent(ua string) *uaparser.UserAgent
}

// Result is what a user agent says about the device behind it. An empty
// field is unknown; the values are the Device* and Platform* constants,
// uap-core device models and crawler names.
type Result struct {
	Device     string
	Platform   string
	DeviceName string
	BotName    string
}

// Classify detects the device, platform, device model and crawler behind a
// user agent. It runs ParseDevice, then ParseOs for people or
// ParseUserAgent for crawlers, never all three. On a uamatch.Parser both
// lookups share one scan of the user agent.
func Classify(p Parser, ua string) Result {
	if ua == "" {
		return Result{}
	}
	if m, ok := p.(*uamatch.Parser); ok {
		a := m.Prepare(ua)
		defer a.Release()
		return classify(a, ua)
	}
	return classify(parserAgent{p: p, ua: ua}, ua)
}

// agent is one user agent's lookups.
type agent interface {
	OsFamily() string
	Device() *uaparser.Device
	UserAgentFamily() string
}

// parserAgent is the agent of any Parser.
type parserAgent struct {
	p  Parser
	ua string
}

func (a parserAgent) OsFamily() string         { return a.p.ParseOs(a.ua).Family }
func (a parserAgent) Device() *uaparser.Device { return a.p.ParseDevice(a.ua) }
func (a parserAgent) UserAgentFamily() string  { return a.p.ParseUserAgent(a.ua).Family }

func classify[A agent](a A, ua string) Result {
	dev := a.Device()
	if dev.Family == "Spider" {
		name := a.UserAgentFamily()
		if name == "" || name == "Other" {
			name = genericBotName
		}
		return Result{BotName: name}
	}
	osFamily := a.OsFamily()
	platform := platformOf(osFamily, dev, ua)
	return Result{
		Device:     deviceType(platform, osFamily, dev, ua),
		Platform:   platform,
		DeviceName: deviceName(dev),
	}
}

// deviceType applies the device rules of the processor documentation, in
// order: special hardware first, then Apple handhelds, then the platform,
// then uap-core's generic devices.
func deviceType(platform, osFamily string, dev *uaparser.Device, ua string) string {
	marks := uaMarkers.scan(ua)
	switch {
	case marks&markCar != 0:
		return DeviceCar
	case isConsolePlatform(platform):
		return DeviceConsole
	case osFamily == "Chromecast SmartSpeaker":
		return DeviceSmartSpeaker
	case isTV(osFamily, dev, marks):
		return DeviceTV
	case platform == PlatformWatchOS || platform == PlatformWearOS ||
		dev.Family == "Apple Watch" || dev.Family == "Quest":
		return DeviceWearable
	}
	switch dev.Family {
	case "iPhone", "iPod":
		return DeviceSmartphone
	case "iPad":
		return DeviceTablet
	}
	if t, ok := platformDeviceType(platform, ua); ok {
		return t
	}
	switch {
	case dev.Family == "Generic Smartphone":
		return DeviceSmartphone
	case dev.Family == "Generic Tablet":
		return DeviceTablet
	case dev.Family == "Generic Feature Phone",
		strings.Contains(ua, "MIDP"), strings.Contains(ua, "J2ME"):
		return DeviceFeaturePhone
	}
	return DeviceUnknown
}

// platformDeviceType derives the device type from the platform; ok is
// false when the platform does not tell.
func platformDeviceType(platform, ua string) (string, bool) {
	mobile := strings.Contains(ua, "Mobile")
	switch platform {
	case PlatformAndroid, PlatformFireOS, PlatformHarmonyOS:
		if mobile || isAndroidPhoneApp(ua) {
			return DeviceSmartphone, true
		}
		return DeviceTablet, true
	case PlatformIOS:
		switch {
		case strings.Contains(ua, "iPad"):
			return DeviceTablet, true
		case strings.Contains(ua, "iPhone"), strings.Contains(ua, "iPod"):
			return DeviceSmartphone, true
		}
	case PlatformWindowsPhone, PlatformWindowsMobile, PlatformBlackBerry,
		PlatformSymbian, PlatformSymbian3:
		return DeviceSmartphone, true
	case PlatformBlackBerryTablet:
		return DeviceTablet, true
	case PlatformKaiOS, PlatformBrew, PlatformSymbianSeries40:
		return DeviceFeaturePhone, true
	case PlatformWindows, PlatformMac, PlatformChromeOS, PlatformFreeBSD,
		PlatformOpenBSD, PlatformNetBSD, PlatformSolaris:
		return DeviceDesktop, true
	case PlatformGNULinux:
		if mobile {
			return DeviceSmartphone, true
		}
		return DeviceDesktop, true
	case PlatformFirefoxOS, PlatformTizen, PlatformSailfishOS, PlatformMeeGo,
		PlatformMaemo, PlatformWebOS, PlatformBada:
		switch {
		case strings.Contains(ua, "Tablet"):
			return DeviceTablet, true
		case mobile:
			return DeviceSmartphone, true
		}
	}
	return DeviceUnknown, false
}

// isAndroidPhoneApp reports the user agents of Android apps that never say
// "Mobile" (Dalvik, Instagram's own client): phones far outnumber tablets
// among them, so they count as smartphones.
func isAndroidPhoneApp(ua string) bool {
	return strings.HasPrefix(ua, "Dalvik/") || strings.HasPrefix(ua, "Instagram ")
}

func isConsolePlatform(platform string) bool {
	switch platform {
	case PlatformPlayStation, PlatformPlayStationPortable, PlatformXbox,
		PlatformNintendo, PlatformNintendoMobile:
		return true
	}
	return false
}

// tvMarkers are user agent fragments only television sets, set-top boxes
// and streaming sticks send.
var tvMarkers = []string{
	"SmartTV", "SMART-TV", "Smart-TV", "SmartTv", "HbbTV", "AppleTV", "Apple TV",
	"Roku", "BRAVIA", "GoogleTV", "Google TV", "Android TV", "AndroidTV", "CrKey",
	"Web0S", "webOS.TV", "WebOS TV", "Tizen TV", "NetCast", "Opera TV", "TV Safari",
	"Mi TV", "FireTV", "Fire TV",
}

// carMarkers are the user agent fragments of car browsers.
var carMarkers = []string{"Tesla/", "QtCarBrowser"}

// uaMarkers finds the car and TV markers in one pass.
var uaMarkers = newMarkerSet(carMarkers, tvMarkers)

const (
	markCar = 1 << iota
	markTV
)

// isTV reports a television; marks are the uaMarkers of the user agent.
func isTV(osFamily string, dev *uaparser.Device, marks uint8) bool {
	switch osFamily {
	case "tvOS", "ATV OS X", "GoogleTV", "WebTV", "FireHbbTV", "Web0S",
		"Chromecast Linux", "Chromecast Android", "Chromecast Fuchsia":
		return true
	}
	switch {
	case dev.Brand == "Generic_Inettv", dev.Family == "AppleTV", dev.Family == "Roku",
		strings.HasPrefix(dev.Model, "AFT"):
		return true
	}
	return marks&markTV != 0
}

// deviceName returns the uap-core device model, or "" when uap-core names
// no real model ("Other", generic phones, Android's reduced "K").
func deviceName(dev *uaparser.Device) string {
	switch dev.Family {
	case "Other", "Spider", "Generic Smartphone", "Generic Feature Phone",
		"Generic Tablet", "iOS-Device":
		return ""
	}
	switch dev.Model {
	case "", "K", "Other", "Smartphone", "Feature Phone", "Tablet", "Desktop",
		"Browser", "iOS-Device":
		return ""
	}
	return dev.Model
}
