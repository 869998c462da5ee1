package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// The tables below are hand-written device, browser and client names; the
// generator combines them with random versions.

var androidPhones = []string{
	"SM-G991B", "SM-G998U", "SM-A525F", "SM-A136U", "SM-S918B", "SM-N986B", "SM-G973F",
	"SAMSUNG SM-A515F", "Pixel 7", "Pixel 8 Pro", "Pixel 6a", "Pixel 4 XL", "Nexus 5X",
	"Redmi Note 12", "Redmi Note 9 Pro", "M2101K6G", "22111317G", "Mi 9T", "POCO F5",
	"moto g(60)", "moto e(7) plus", "Moto G (5) Plus", "motorola edge 30", "XT1635-02",
	"HUAWEI P30", "ELE-L29", "VOG-L29", "HONOR 70", "ANE-LX1", "ONEPLUS A6013", "CPH2411",
	"CPH2219", "OPPO A53", "vivo 1906", "V2111", "RMX3085", "RMX2001", "Nokia 5.3", "TA-1053",
	"LG-H870", "LM-G900", "LG-K420", "G8441", "SO-52A", "XQ-AT51", "ASUS_Z01QD", "ASUS_I005D",
	"ZTE Blade A51", "Infinix X6816", "TECNO KG5k", "itel A571W", "Lenovo K8 Note",
	"HTC One M9", "HTC U11", "BLU VIVO XL", "Fairphone 4", "Nothing Phone (1)", "SHIFT6mq",
	"Alcatel 5033D", "5024D_EEA", "Wiko View", "Realme C11", "Galaxy S21", "GT-I9300", "SCH-I545",
	"Hisense E50", "Micromax Q402", "Lava Z2", "Sony Xperia Z5", "KYOCERA-E6560", "BV9900",
}

var androidTablets = []string{
	"SM-T500", "SM-X200", "SM-T870", "SM-P610", "Lenovo TB-X606F", "Lenovo TB-J606F", "KFTRWI",
	"KFMAWI", "KFONWI", "Nexus 7", "Nexus 10", "Pixel Tablet", "MRX-W09", "AGS3-L09",
	"21051182G", "Xiaomi Pad 6", "ASUS Transformer Pad TF300T", "SGP312", "TAB-A05-BD",
	"Galaxy Tab S7", "GT-P5110", "AT300", "MediaPad M5", "BNTV600", "Tab10", "YT3-X90F",
}

var iosVersions = []string{"12_5_7", "14_8", "15_7_9", "16_6_1", "17_0", "17_4_1", "17_5", "18_0", "18_1_1"}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func chromeVer(rng *rand.Rand) string {
	return fmt.Sprintf("%d.0.%d.%d", 90+rng.IntN(40), 4000+rng.IntN(2500), rng.IntN(250))
}

func androidVer(rng *rand.Rand) string {
	return pick(rng, []string{"4.4.2", "5.1.1", "6.0", "7.0", "8.1.0", "9", "10", "11", "12", "13", "14", "15"})
}

func iosApp(rng *rand.Rand, device, ver string) string {
	dot := strings.ReplaceAll(ver, "_", ".")
	webkit := "Mozilla/5.0 (" + device + "; CPU " + osName(device) + " " + ver +
		" like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
	switch rng.IntN(9) {
	case 0:
		return webkit + " CriOS/" + chromeVer(rng) + " Mobile/15E148 Safari/604.1"
	case 1:
		return webkit + fmt.Sprintf(" FxiOS/%d.0 Mobile/15E148 Safari/605.1.15", 100+rng.IntN(30))
	case 2:
		return webkit + fmt.Sprintf(" Mobile/15E148 [FBAN/FBIOS;FBAV/%d.0.0.%d.%d;FBBV/%d;FBDV/iPhone14,2;FBMD/iPhone;FBSN/iOS;FBSV/%s;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]",
			400+rng.IntN(80), rng.IntN(60), rng.IntN(200), 500000000+rng.IntN(99999999), dot)
	case 3:
		return webkit + fmt.Sprintf(" Mobile/15E148 Instagram %d.0.0.%d.%d (iPhone13,2; iOS %s; en_US; en; scale=3.00; 1170x2532; %d)",
			250+rng.IntN(80), rng.IntN(40), rng.IntN(120), ver, 400000000+rng.IntN(99999999))
	case 4:
		return webkit + fmt.Sprintf(" Mobile/15E148 Safari Line/%d.%d.%d", 12+rng.IntN(3), rng.IntN(20), rng.IntN(5))
	case 5:
		return webkit + fmt.Sprintf(" Mobile/15E148 MicroMessenger/8.0.%d(0x1800%04x) NetType/WIFI Language/zh_CN", 30+rng.IntN(20), rng.IntN(0xffff))
	case 6:
		return webkit + fmt.Sprintf(" EdgiOS/%d.0.%d.%d Mobile/15E148 Safari/605.1.15", 100+rng.IntN(30), 2000+rng.IntN(900), rng.IntN(90))
	case 7:
		return webkit + " Mobile/15E148"
	}
	return webkit + " Version/" + dot + " Mobile/15E148 Safari/604.1"
}

func osName(device string) string {
	if device == "iPad" {
		return "OS"
	}
	return "iPhone OS"
}

func android(rng *rand.Rand, model string, tablet bool) string {
	base := "Mozilla/5.0 (Linux; Android " + androidVer(rng) + "; " + model
	if rng.IntN(2) == 0 {
		base += " Build/" + pick(rng, []string{"TP1A.220624.014", "RKQ1.200826.002", "QP1A.190711.020", "SP1A.210812.016", "NRD90M", "LMY47V"})
	}
	mobile := " Mobile"
	if tablet {
		mobile = ""
	}
	cv := chromeVer(rng)
	switch rng.IntN(9) {
	case 0:
		return base + "; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/" + cv + mobile + " Safari/537.36"
	case 1:
		return base + ") AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/" + fmt.Sprintf("%d.0", 14+rng.IntN(12)) + " Chrome/" + cv + mobile + " Safari/537.36"
	case 2:
		return fmt.Sprintf("Mozilla/5.0 (Android %s;%s rv:%d.0) Gecko/%d.0 Firefox/%d.0", androidVer(rng), map[bool]string{true: " Tablet;", false: " Mobile;"}[tablet], 100+rng.IntN(30), 100+rng.IntN(30), 100+rng.IntN(30))
	case 3:
		return base + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + cv + mobile + " Safari/537.36 OPR/" + fmt.Sprintf("%d.%d.%d", 60+rng.IntN(20), rng.IntN(9), 2000+rng.IntN(5000))
	case 4:
		return base + "; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/" + cv + mobile + fmt.Sprintf(" Safari/537.36 [FB_IAB/FB4A;FBAV/%d.0.0.%d.%d;]", 400+rng.IntN(80), rng.IntN(60), rng.IntN(200))
	case 5:
		return base + "; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/" + cv + mobile + fmt.Sprintf(" Safari/537.36 Instagram %d.0.0.%d.%d Android (33/13; 420dpi; 1080x2400; samsung; %s; qcom; en_US; %d)", 250+rng.IntN(80), rng.IntN(40), rng.IntN(120), model, 400000000+rng.IntN(99999999))
	case 6:
		return base + ") AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 UCBrowser/" + fmt.Sprintf("13.%d.%d.%d", rng.IntN(9), rng.IntN(9), 1300+rng.IntN(99)) + mobile + " Safari/537.36"
	case 7:
		return base + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + cv + mobile + " Safari/537.36 XiaoMi/MiuiBrowser/" + fmt.Sprintf("%d.%d.%d", 13+rng.IntN(5), rng.IntN(40), rng.IntN(9))
	}
	return base + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + cv + mobile + " Safari/537.36"
}

func desktop(rng *rand.Rand) string {
	win := pick(rng, []string{"Windows NT 10.0; Win64; x64", "Windows NT 6.1; Win64; x64", "Windows NT 6.3; WOW64", "Windows NT 10.0", "Windows NT 5.1", "Windows NT 6.2; ARM"})
	mac := fmt.Sprintf("Macintosh; Intel Mac OS X 10_%d_%d", 11+rng.IntN(5), rng.IntN(8))
	lin := pick(rng, []string{"X11; Linux x86_64", "X11; Ubuntu; Linux x86_64", "X11; Fedora; Linux x86_64", "X11; CrOS x86_64 15633.69.0", "X11; CrOS aarch64 14541.0.0", "X11; FreeBSD amd64"})
	plat := pick(rng, []string{win, win, mac, lin})
	cv := chromeVer(rng)
	ff := 90 + rng.IntN(40)
	switch rng.IntN(7) {
	case 0:
		return fmt.Sprintf("Mozilla/5.0 (%s; rv:%d.0) Gecko/20100101 Firefox/%d.0", plat, ff, ff)
	case 1:
		return "Mozilla/5.0 (" + plat + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + cv + " Safari/537.36 Edg/" + cv
	case 2:
		return "Mozilla/5.0 (" + plat + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + cv + " Safari/537.36 OPR/" + fmt.Sprintf("%d.0.%d.%d", 90+rng.IntN(20), 4000+rng.IntN(900), rng.IntN(90))
	case 3:
		return "Mozilla/5.0 (" + mac + ") AppleWebKit/605.1.15 (KHTML, like Gecko) Version/" + fmt.Sprintf("%d.%d", 14+rng.IntN(4), rng.IntN(6)) + " Safari/605.1.15"
	case 4:
		return "Mozilla/5.0 (" + win + "; Trident/7.0; rv:11.0) like Gecko"
	case 5:
		return fmt.Sprintf("Mozilla/4.0 (compatible; MSIE %d.0; %s; Trident/%d.0)", 6+rng.IntN(5), win, 4+rng.IntN(3))
	}
	return "Mozilla/5.0 (" + plat + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + cv + " Safari/537.36"
}

var others = []func(rng *rand.Rand) string{
	func(rng *rand.Rand) string {
		return fmt.Sprintf("Mozilla/5.0 (SMART-TV; Linux; Tizen %d.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/%d.0 Chrome/%s TV Safari/537.36", 3+rng.IntN(5), 2+rng.IntN(5), chromeVer(rng))
	},
	func(rng *rand.Rand) string {
		return "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chromeVer(rng) + " Safari/537.36 WebAppManager"
	},
	func(rng *rand.Rand) string {
		return fmt.Sprintf("HbbTV/1.%d.1 (+DRM;%s;%s;%d.%d.0;;) CE-HTML/1.0", 1+rng.IntN(5), pick(rng, []string{"Samsung", "LGE", "Philips", "Sony", "Panasonic", "TCL"}), pick(rng, []string{"SmartTV2019", "55UK6300", "NETTV/4", "BRAVIA"}), rng.IntN(9), rng.IntN(9))
	},
	func(rng *rand.Rand) string {
		return fmt.Sprintf("Roku/DVP-%d.%d (%d.%d)", 9+rng.IntN(4), rng.IntN(60), rng.IntN(99), rng.IntN(9999))
	},
	func(rng *rand.Rand) string {
		return fmt.Sprintf("AppleTV11,1/11.1 tvOS/%d.%d", 14+rng.IntN(4), rng.IntN(5))
	},
	func(rng *rand.Rand) string {
		return "Mozilla/5.0 (X11; Linux armv7l) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chromeVer(rng) + " Safari/537.36 CrKey/1.56.500000 DeviceType/AndroidTV"
	},
	func(rng *rand.Rand) string {
		return fmt.Sprintf("Mozilla/5.0 (PlayStation %d %d.%02d) AppleWebKit/605.1.15 (KHTML, like Gecko)", 4+rng.IntN(2), 3+rng.IntN(8), rng.IntN(99))
	},
	func(rng *rand.Rand) string {
		return "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chromeVer(rng) + " Safari/537.36 Edge/44.18363.8131"
	},
	func(rng *rand.Rand) string {
		return fmt.Sprintf("Mozilla/5.0 (Nintendo Switch; WifiWebAuthApplet) AppleWebKit/606.4 (KHTML, like Gecko) NF/6.0.1.%d.4 NintendoBrowser/5.1.0.%d", rng.IntN(30), 10000+rng.IntN(9999))
	},
	func(rng *rand.Rand) string {
		return fmt.Sprintf("Mozilla/5.0 (Linux; Android %d; SM-R%d Build/RP1A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%s Mobile Safari/537.36 Watch", 9+rng.IntN(5), 800+rng.IntN(200), chromeVer(rng))
	},
	func(rng *rand.Rand) string {
		return fmt.Sprintf("atc/1.0 watchOS/%d.%d model/Watch%d,%d hwp/t8301 build/20R%d (6; dt:%d)", 7+rng.IntN(4), rng.IntN(6), 4+rng.IntN(3), rng.IntN(9), rng.IntN(999), 200+rng.IntN(100))
	},
	func(rng *rand.Rand) string {
		return pick(rng, []string{
			"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; +http://www.google.com/bot.html) Chrome/%s Safari/537.36",
			"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
			"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
			"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
			"Twitterbot/1.0", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
			"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
			"DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
			"Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
			"Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.%d; +https://openai.com/gptbot)",
			"Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
			"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%s Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
			"WhatsApp/2.%d.10 A", "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)",
			"Mozilla/5.0 (compatible; DotBot/1.2; +https://opensiteexplorer.org/dotbot)",
		}) + strings.Repeat(" ", rng.IntN(2))
	},
	func(rng *rand.Rand) string {
		return fmt.Sprintf(pick(rng, []string{
			"curl/%d.%d.0", "Wget/1.%d.%d", "python-requests/2.%d.%d", "Go-http-client/1.%d%.0d", "okhttp/4.%d.%d",
			"Java/17.0.%d_%d", "Apache-HttpClient/4.5.%d (Java/1.8.0_%d)", "axios/1.%d.%d", "node-fetch/1.%d (+https://github.com/bitinn/node-fetch%d)",
			"PostmanRuntime/7.%d.%d", "Dalvik/2.1.0 (Linux; U; Android %d; SM-A%d Build/RP1A)", "CFNetwork/%d.0.%d Darwin/22.0.0",
			"Python-urllib/3.%d%.0d", "libwww-perl/6.%d%.0d", "Ruby/%d.%d", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.%d; Pro%d)",
		}), rng.IntN(40), rng.IntN(40))
	},
}

var garbage = []string{
	"", "-", "Mozilla", "Mozilla/5.0", "null", "undefined", "()", "Mozilla/5.0 (", "\t", " ",
	"ſamsung ſm-g991b", "Kindle \u212aFTRWI", "Ünïcödé Browser/1.0", "\xff\xfe\xc5", "\xc5\xbf\xe2\x84\xaa",
	"日本語のブラウザ/2.0 (iPhone)", strings.Repeat("A", 600), strings.Repeat("Android ", 80),
	"Mozilla/5.0 (Linux; Android; ) ;;;;;", "%s%n%x", "<script>alert(1)</script>", "' OR 1=1 --",
}
