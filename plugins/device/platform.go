package device

import (
	"strings"

	"github.com/ua-parser/uap-go/uaparser"
)

// Platforms, the lower-cased operating system names of the original
// DeviceDetector (matomo device-detector). They are part of the metadata
// contract: consumers compare against these exact strings.
const (
	PlatformUnknown             = ""
	PlatformAndroid             = "android"
	PlatformBada                = "bada"
	PlatformBlackBerry          = "blackberry os"
	PlatformBlackBerryTablet    = "blackberry tablet os"
	PlatformBrew                = "brew"
	PlatformChromeOS            = "chrome os"
	PlatformFireOS              = "fire os"
	PlatformFirefoxOS           = "firefox os"
	PlatformFreeBSD             = "freebsd"
	PlatformFuchsia             = "fuchsia"
	PlatformGNULinux            = "gnu/linux"
	PlatformGoogleTV            = "google tv"
	PlatformHarmonyOS           = "harmonyos"
	PlatformIOS                 = "ios"
	PlatformKaiOS               = "kaios"
	PlatformMac                 = "mac"
	PlatformMaemo               = "maemo"
	PlatformMeeGo               = "meego"
	PlatformNetBSD              = "netbsd"
	PlatformNintendo            = "nintendo"
	PlatformNintendoMobile      = "nintendo mobile"
	PlatformOpenBSD             = "openbsd"
	PlatformPlayStation         = "playstation"
	PlatformPlayStationPortable = "playstation portable"
	PlatformRokuOS              = "roku os"
	PlatformSailfishOS          = "sailfish os"
	PlatformSolaris             = "solaris"
	PlatformSymbian             = "symbian os"
	PlatformSymbian3            = "symbian^3"
	PlatformSymbianSeries40     = "symbian os series 40"
	PlatformTizen               = "tizen"
	PlatformTvOS                = "tvos"
	PlatformWatchOS             = "watchos"
	PlatformWearOS              = "wear os"
	PlatformWebOS               = "webos"
	PlatformWebTV               = "webtv"
	PlatformWindows             = "windows"
	PlatformWindowsMobile       = "windows mobile"
	PlatformWindowsPhone        = "windows phone"
	PlatformXbox                = "xbox"
)

// osPlatforms maps a uap-core OS family to its platform. A family missing
// from the map ("Other", HbbTV vendor names, ...) has no platform.
var osPlatforms = map[string]string{
	"Android":              PlatformAndroid,
	"Chromecast Android":   PlatformAndroid,
	"iOS":                  PlatformIOS,
	"ATV OS X":             PlatformTvOS,
	"tvOS":                 PlatformTvOS,
	"WatchOS":              PlatformWatchOS,
	"Windows":              PlatformWindows,
	"Windows Phone":        PlatformWindowsPhone,
	"Windows Mobile":       PlatformWindowsMobile,
	"Mac OS X":             PlatformMac,
	"Mac OS":               PlatformMac,
	"Chrome OS":            PlatformChromeOS,
	"BlackBerry OS":        PlatformBlackBerry,
	"BlackBerry Tablet OS": PlatformBlackBerryTablet,
	"Tizen":                PlatformTizen,
	"KaiOS":                PlatformKaiOS,
	"webOS":                PlatformWebOS,
	"Web0S":                PlatformWebOS,
	"FreeBSD":              PlatformFreeBSD,
	"OpenBSD":              PlatformOpenBSD,
	"NetBSD":               PlatformNetBSD,
	"Solaris":              PlatformSolaris,
	"Symbian OS":           PlatformSymbian,
	"Symbian^3":            PlatformSymbian3,
	"Symbian^3 Anna":       PlatformSymbian3,
	"Symbian^3 Belle":      PlatformSymbian3,
	"Nokia Series 40":      PlatformSymbianSeries40,
	"Firefox OS":           PlatformFirefoxOS,
	"Brew MP":              PlatformBrew,
	"BREW":                 PlatformBrew,
	"GoogleTV":             PlatformGoogleTV,
	"WebTV":                PlatformWebTV,
	"FireHbbTV":            PlatformFireOS,
	"Chromecast Fuchsia":   PlatformFuchsia,
	"Sailfish":             PlatformSailfishOS,
	"MeeGo":                PlatformMeeGo,
	"Maemo":                PlatformMaemo,
	"Bada":                 PlatformBada,
	// Linux distributions are one platform, as in DeviceDetector's
	// GNU/Linux family.
	"Linux":                   PlatformGNULinux,
	"Chromecast Linux":        PlatformGNULinux,
	"Chromecast SmartSpeaker": PlatformGNULinux,
	"Ubuntu":                  PlatformGNULinux,
	"Kubuntu":                 PlatformGNULinux,
	"Lubuntu":                 PlatformGNULinux,
	"Debian":                  PlatformGNULinux,
	"Fedora":                  PlatformGNULinux,
	"Red Hat":                 PlatformGNULinux,
	"CentOS":                  PlatformGNULinux,
	"SUSE":                    PlatformGNULinux,
	"openSUSE":                PlatformGNULinux,
	"Linux Mint":              PlatformGNULinux,
	"Mint":                    PlatformGNULinux,
	"Arch Linux":              PlatformGNULinux,
	"Gentoo":                  PlatformGNULinux,
	"Slackware":               PlatformGNULinux,
	"Mandriva":                PlatformGNULinux,
	"Mageia":                  PlatformGNULinux,
	"PCLinuxOS":               PlatformGNULinux,
	"BackTrack":               PlatformGNULinux,
	"Puppy":                   PlatformGNULinux,
}

// platformOf returns the platform of a user agent from its uap-core OS and
// device, correcting what uap-core cannot name: consoles, Roku, Amazon's
// Fire OS, HarmonyOS, Wear OS, and Apple handhelds it gives no OS for.
func platformOf(osFamily string, dev *uaparser.Device, ua string) string {
	if p, ok := consolePlatform(ua); ok {
		return p
	}
	p := osPlatforms[osFamily]
	switch p {
	case PlatformAndroid:
		switch {
		case strings.Contains(ua, "HarmonyOS"):
			return PlatformHarmonyOS
		case isAmazon(dev, ua):
			return PlatformFireOS
		case isWearOS(ua):
			return PlatformWearOS
		}
	case PlatformUnknown, PlatformMac:
		// uap-core says "Mac OS X" for Roku players and for iPads asking
		// for the desktop site from an app.
		switch dev.Family {
		case "iPhone", "iPad", "iPod":
			return PlatformIOS
		case "Roku":
			return PlatformRokuOS
		}
	}
	return p
}

// consolePlatform names the platform of game consoles, which uap-core
// reports as no OS (PlayStation, Nintendo) or as Windows (Xbox).
func consolePlatform(ua string) (string, bool) {
	switch {
	case strings.Contains(ua, "PlayStation Portable"), strings.Contains(ua, "PlayStation Vita"):
		return PlatformPlayStationPortable, true
	case strings.Contains(ua, "PlayStation"):
		return PlatformPlayStation, true
	case strings.Contains(ua, "Xbox"):
		return PlatformXbox, true
	case strings.Contains(ua, "Nintendo 3DS"), strings.Contains(ua, "Nintendo DS"):
		return PlatformNintendoMobile, true
	case strings.Contains(ua, "Nintendo"):
		return PlatformNintendo, true
	}
	return "", false
}

// isAmazon reports an Amazon Fire tablet or Fire TV: Silk browser, KF*
// tablet models, AFT* TV models.
func isAmazon(dev *uaparser.Device, ua string) bool {
	return dev.Brand == "Amazon" || strings.HasPrefix(dev.Model, "AFT") ||
		strings.HasPrefix(dev.Model, "KF") || strings.Contains(ua, "Silk/")
}

func isWearOS(ua string) bool {
	return strings.Contains(ua, "Wear OS") || strings.Contains(ua, "wear os") ||
		strings.Contains(ua, "Android Wear") || strings.Contains(ua, "WearOS")
}
