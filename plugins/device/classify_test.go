package device

import (
	"sync"
	"testing"

	"github.com/ua-parser/uap-go/uaparser"
)

// testMatcher is the embedded uap-core matcher, compiled once for all tests.
var testMatcher = sync.OnceValue(func() Parser {
	p, err := loadMatcher("")
	if err != nil {
		panic(err)
	}
	return p
})

// classifyTests are the agents of TestClassify, which the differential
// tests also run through uap-go.
var classifyTests = []struct {
	name string
	ua   string
	want Result
}{
	// The contract example.
	{"contract iPhone", "iPhone Banana Phone", Result{DeviceSmartphone, PlatformIOS, "iPhone", ""}},
	{"empty", "", Result{}},
	{"garbage", "garbage", Result{}},
	{"http library", "curl/8.4.0", Result{}},

	// Apple handhelds.
	{"iPhone safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", Result{DeviceSmartphone, PlatformIOS, "iPhone", ""}},
	{"iPod", "Mozilla/5.0 (iPod touch; CPU iPhone OS 12_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1", Result{DeviceSmartphone, PlatformIOS, "iPod", ""}},
	{"iPad", "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1", Result{DeviceTablet, PlatformIOS, "iPad", ""}},
	{"iPhone app", "MyShop/3.2.1 (iPhone; iOS 16.1; Scale/3.00)", Result{DeviceSmartphone, PlatformIOS, "iPhone", ""}},
	{"iOS CFNetwork app", "MyApp/1.0 CFNetwork/1494.0.7 Darwin/23.4.0", Result{DeviceUnknown, PlatformIOS, "", ""}},

	// Android.
	{"android phone", "Mozilla/5.0 (Linux; Android 7.0; Moto G (4)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36", Result{DeviceSmartphone, PlatformAndroid, "Moto G (4)", ""}},
	{"android samsung", "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36", Result{DeviceSmartphone, PlatformAndroid, "SM-S918B", ""}},
	{"android reduced phone", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36", Result{DeviceSmartphone, PlatformAndroid, "", ""}},
	{"android reduced tablet", "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36", Result{DeviceTablet, PlatformAndroid, "", ""}},
	{"android tablet", "Mozilla/5.0 (Linux; Android 12; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36", Result{DeviceTablet, PlatformAndroid, "SM-X200", ""}},
	{"android old tablet", "Mozilla/5.0 (Linux; U; Android 4.4.2; en-us; SM-T230NU Build/KOT49H) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Safari/534.30", Result{DeviceTablet, PlatformAndroid, "SM-T230NU", ""}},
	{"fire tablet", "Mozilla/5.0 (Linux; Android 12; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36", Result{DeviceTablet, PlatformFireOS, "KFTRWI", ""}},
	{"fire tablet silk", "Mozilla/5.0 (Linux; Android 9; KFTRWI Build/PS7326.3183N) AppleWebKit/537.36 (KHTML, like Gecko) Silk/112.5.1 like Chrome/112.0.5615.213 Safari/537.36", Result{DeviceTablet, PlatformFireOS, "Kindle", ""}},
	{"harmonyos", "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.6.0.311) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/12.1.3.303 Mobile Safari/537.36", Result{DeviceSmartphone, PlatformHarmonyOS, "", ""}},
	{"dalvik app", "Dalvik/2.1.0 (Linux; U; Android 11; SM-G991B Build/RP1A.200720.012)", Result{DeviceSmartphone, PlatformAndroid, "SM-G991B", ""}},

	// In-app web views classify like their host.
	{"facebook iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.1.1;FBBV/500000;FBDV/iPhone14,2;FBMD/iPhone;FBSN/iOS;FBSV/16.5;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]", Result{DeviceSmartphone, PlatformIOS, "iPhone14,2", ""}},
	{"facebook iPad", "Mozilla/5.0 (iPad; CPU OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.0.1.1;FBBV/500000;FBDV/iPad13,1;FBMD/iPad;FBSN/iPadOS;FBSV/16.5;FBSS/2;FBID/tablet;FBLC/en_US;FBOP/5]", Result{DeviceTablet, PlatformIOS, "iPad13,1", ""}},
	{"facebook iPad desktop site", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0;FBDV/iPad13,1;FBMD/iPad;FBSN/iPadOS]", Result{DeviceTablet, PlatformIOS, "iPad13,1", ""}},
	{"instagram iPhone", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 280.0.0.1.1 (iPhone13,2; iOS 16_5; en_US; en; scale=3.00; 1170x2532; 480000000)", Result{DeviceSmartphone, PlatformIOS, "iPhone13,2", ""}},
	{"facebook android wv", "Mozilla/5.0 (Linux; Android 13; SM-G991B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6000.100 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/450.0.0.1.1;]", Result{DeviceSmartphone, PlatformAndroid, "SM-G991B", ""}},
	{"instagram android wv", "Mozilla/5.0 (Linux; Android 12; SM-G991B Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.0.0 Mobile Safari/537.36 Instagram 290.0.0.1.1 Android (31/12; 420dpi; 1080x2340; samsung; SM-G991B; a51; exynos9611; en_US; 490000000)", Result{DeviceSmartphone, PlatformAndroid, "SM-G991B", ""}},
	{"instagram android client", "Instagram 290.0.0.1.1 Android (31/12; 420dpi; 1080x2340; samsung; SM-G991B; a51; exynos9611; en_US; 490000000)", Result{DeviceSmartphone, PlatformAndroid, "SM-G991B", ""}},

	// Desktops.
	{"windows chrome", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36", Result{DeviceDesktop, PlatformWindows, "", ""}},
	{"windows 7 IE", "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko", Result{DeviceDesktop, PlatformWindows, "", ""}},
	{"mac safari", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", Result{DeviceDesktop, PlatformMac, "Mac", ""}},
	{"linux chrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36", Result{DeviceDesktop, PlatformGNULinux, "", ""}},
	{"ubuntu firefox", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", Result{DeviceDesktop, PlatformGNULinux, "", ""}},
	{"fedora firefox", "Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0", Result{DeviceDesktop, PlatformGNULinux, "", ""}},
	{"chrome os", "Mozilla/5.0 (X11; CrOS x86_64 15000.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36", Result{DeviceDesktop, PlatformChromeOS, "", ""}},
	{"freebsd", "Mozilla/5.0 (X11; FreeBSD amd64; rv:109.0) Gecko/20100101 Firefox/115.0", Result{DeviceDesktop, PlatformFreeBSD, "", ""}},

	// TVs.
	{"samsung tizen tv", "Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36", Result{DeviceTV, PlatformTizen, "SMART-TV", ""}},
	{"lg webos tv", "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.79 Safari/537.36 WebAppManager", Result{DeviceTV, PlatformWebOS, "Web0S SmartTV", ""}},
	{"hbbtv", "HbbTV/1.5.1 (+DRM;Samsung;SmartTV2020;T-KTMDEUC-1106.2;;) Tizen/5.5 (+TVPLUS+SmartHubLink) Chrome/69.0.3497.106", Result{DeviceTV, PlatformTizen, "SmartTV2020", ""}},
	{"roku", "Roku/DVP-9.10 (519.10E04111A)", Result{DeviceTV, PlatformRokuOS, "Roku", ""}},
	{"apple tv", "AppleTV11,1/11.1", Result{DeviceTV, PlatformTvOS, "AppleTV", ""}},
	{"apple tv coremedia", "AppleCoreMedia/1.0.0.20K71 (Apple TV; U; CPU OS 16_1 like Mac OS X; en_us)", Result{DeviceTV, PlatformTvOS, "AppleTV", ""}},
	{"fire tv", "Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/108.0.5359.160 Mobile Safari/537.36", Result{DeviceTV, PlatformFireOS, "AFTMM", ""}},
	{"bravia", "Mozilla/5.0 (Linux; Android 9; BRAVIA 4K GB ATV3 Build/PTT1.190515.001.S52) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.99 Mobile Safari/537.36", Result{DeviceTV, PlatformAndroid, "BRAVIA 4K GB ATV3", ""}},
	{"android tv", "Mozilla/5.0 (Linux; Android 9; SHIELD Android TV Build/PPR1.180610.011) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.136 Mobile Safari/537.36", Result{DeviceTV, PlatformAndroid, "SHIELD Android TV", ""}},
	{"google tv", "Mozilla/5.0 (Linux; GoogleTV 3.2; VAP430 Build/MASTER) AppleWebKit/534.24 (KHTML, like Gecko) Chrome/11.0.696.77 Safari/534.24", Result{DeviceTV, PlatformGoogleTV, "GoogleTV", ""}},
	{"chromecast", "Mozilla/5.0 (X11; Linux aarch64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 CrKey/1.56.500000", Result{DeviceTV, PlatformGNULinux, "Chromecast", ""}},

	// Consoles.
	{"playstation 5", "Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)", Result{DeviceConsole, PlatformPlayStation, "PlayStation 5", ""}},
	{"xbox", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/48.0.2564.82 Safari/537.36 Edge/20.02", Result{DeviceConsole, PlatformXbox, "", ""}},
	{"nintendo switch", "Mozilla/5.0 (Nintendo Switch; WifiWebAuthApplet) AppleWebKit/606.4 (KHTML, like Gecko) NF/6.0.1.15.4 NintendoBrowser/5.1.0.20393", Result{DeviceConsole, PlatformNintendo, "Switch", ""}},
	{"nintendo 3ds", "Mozilla/5.0 (Nintendo 3DS; U; ; en) Version/1.7412.EU", Result{DeviceConsole, PlatformNintendoMobile, "3DS", ""}},

	// Wearables and cars.
	{"apple watch", "Watch7,1/10.0 watchOS/10.0 model/Watch7,1 hwp/t8301 build/21R356 (6; dt:285) AMS/1", Result{DeviceWearable, PlatformWatchOS, "Watch7,1", ""}},
	{"wear os", "Mozilla/5.0 (Linux; U; Android 11; wear os; TicWatch) AppleWebKit/537.36", Result{DeviceWearable, PlatformWearOS, "", ""}},
	{"meta quest", "Mozilla/5.0 (Linux; Android 10; Quest 2) AppleWebKit/537.36 (KHTML, like Gecko) OculusBrowser/16.0 SamsungBrowser/4.0 Chrome/91 VR Safari/537.36", Result{DeviceWearable, PlatformAndroid, "Quest 2", ""}},
	{"tesla", "Mozilla/5.0 (X11; Linux) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36 Tesla/2024.20.6", Result{DeviceCar, PlatformGNULinux, "", ""}},

	// Other phones.
	{"windows phone", "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063", Result{DeviceSmartphone, PlatformWindowsPhone, "Lumia 950", ""}},
	{"blackberry", "Mozilla/5.0 (BlackBerry; U; BlackBerry 9900; en) AppleWebKit/534.11+ (KHTML, like Gecko) Version/7.1.0.346 Mobile Safari/534.11+", Result{DeviceSmartphone, PlatformBlackBerry, "9900", ""}},
	{"blackberry playbook", "Mozilla/5.0 (PlayBook; U; RIM Tablet OS 2.1.0; en-US) AppleWebKit/536.2+ (KHTML, like Gecko) Version/7.2.1.0 Safari/536.2+", Result{DeviceTablet, PlatformBlackBerryTablet, "Playbook", ""}},
	{"symbian", "Mozilla/5.0 (SymbianOS/9.4; Series60/5.0 NokiaN97-1/12.0.024; Profile/MIDP-2.1 Configuration/CLDC-1.1; en-us) AppleWebKit/525 (KHTML, like Gecko) BrowserNG/7.1.18124", Result{DeviceSmartphone, PlatformSymbian, "N97-1", ""}},
	{"tizen phone", "Mozilla/5.0 (Linux; Tizen 2.3; SAMSUNG SM-Z130H) AppleWebKit/537.3 (KHTML, like Gecko) Version/2.3 Mobile Safari/537.3", Result{DeviceSmartphone, PlatformTizen, "SM-Z130H", ""}},
	{"kaios", "Mozilla/5.0 (Mobile; Nokia_8110_4G; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5", Result{DeviceFeaturePhone, PlatformKaiOS, "8110", ""}},
	{"series 40", "Mozilla/5.0 (Series40; Nokia2055/03.20; Profile/MIDP-2.1 Configuration/CLDC-1.1) Gecko/20100401 S40OviBrowser/2.2.0.0.31", Result{DeviceFeaturePhone, PlatformSymbianSeries40, "2055", ""}},
	{"midp", "Nokia6300/2.0 (05.00) Profile/MIDP-2.0 Configuration/CLDC-1.1", Result{DeviceFeaturePhone, PlatformUnknown, "6300", ""}},

	// Crawlers.
	{"googlebot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Result{BotName: "Googlebot"}},
	{"googlebot smartphone", "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.175 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", Result{BotName: "Googlebot"}},
	{"bingbot", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", Result{BotName: "bingbot"}},
	{"ahrefsbot", "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", Result{BotName: "AhrefsBot"}},
	{"facebook crawler", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", Result{BotName: "FacebookBot"}},
}

func TestClassify(t *testing.T) {
	p := testMatcher()
	for _, test := range classifyTests {
		t.Run(test.name, func(t *testing.T) {
			if got := Classify(p, test.ua); got != test.want {
				t.Errorf("Classify(%q)\n got %+v\nwant %+v", test.ua, got, test.want)
			}
		})
	}
}

// stubParser answers fixed uap-core values, to test rules uap-core's own
// rules cannot reach.
type stubParser struct {
	os, device, brand, model, agent string
}

func (s stubParser) ParseOs(string) *uaparser.Os { return &uaparser.Os{Family: s.os} }
func (s stubParser) ParseDevice(string) *uaparser.Device {
	return &uaparser.Device{Family: s.device, Brand: s.brand, Model: s.model}
}
func (s stubParser) ParseUserAgent(string) *uaparser.UserAgent {
	return &uaparser.UserAgent{Family: s.agent}
}

func TestClassifyRules(t *testing.T) {
	tests := []struct {
		name   string
		parsed stubParser
		ua     string
		want   Result
	}{
		{"unnamed crawler", stubParser{device: "Spider", agent: "Other"}, "somebot", Result{BotName: genericBotName}},
		{"iPhone without OS", stubParser{os: "Other", device: "iPhone", brand: "Apple", model: "iPhone"}, "x", Result{DeviceSmartphone, PlatformIOS, "iPhone", ""}},
		{"generic smartphone", stubParser{os: "Other", device: "Generic Smartphone", brand: "Generic", model: "Smartphone"}, "x", Result{DeviceSmartphone, PlatformUnknown, "", ""}},
		{"generic tablet", stubParser{os: "Other", device: "Generic Tablet", brand: "Generic", model: "Tablet"}, "x", Result{DeviceTablet, PlatformUnknown, "", ""}},
		{"generic feature phone", stubParser{os: "Other", device: "Generic Feature Phone", brand: "Generic", model: "Feature Phone"}, "x", Result{DeviceFeaturePhone, PlatformUnknown, "", ""}},
		{"linux mobile", stubParser{os: "Ubuntu", device: "Other"}, "Ubuntu; Mobile", Result{DeviceSmartphone, PlatformGNULinux, "", ""}},
		{"firefox os tablet", stubParser{os: "Firefox OS", device: "Other"}, "(Tablet; rv:30.0)", Result{DeviceTablet, PlatformFirefoxOS, "", ""}},
		{"windows mobile", stubParser{os: "Windows Mobile", device: "Other"}, "Windows Mobile", Result{DeviceSmartphone, PlatformWindowsMobile, "", ""}},
		{"brew", stubParser{os: "Brew MP", device: "Other"}, "BMP;", Result{DeviceFeaturePhone, PlatformBrew, "", ""}},
		{"chromecast speaker", stubParser{os: "Chromecast SmartSpeaker", device: "Chromecast"}, "CrKey DeviceType/SmartSpeaker", Result{DeviceSmartSpeaker, PlatformGNULinux, "", ""}},
		{"psp", stubParser{os: "Other", device: "PlayStation Portable"}, "Mozilla/4.0 (PlayStation Portable); 2.00)", Result{DeviceConsole, PlatformPlayStationPortable, "", ""}},
		{"unknown OS family", stubParser{os: "Samsung", device: "Other"}, "x", Result{}},
	}
	for _, test := range tests {
		t.Run(test.name, func(t *testing.T) {
			if got := Classify(test.parsed, test.ua); got != test.want {
				t.Errorf("got %+v, want %+v", got, test.want)
			}
		})
	}
}
