package synth

import "fmt"

// Agents returns about 2,000 distinct, realistic user agents, most popular
// kinds first (phones, then desktops, tablets, in-app views, crawlers, TVs,
// consoles and odd ones), deterministic from run to run.
func Agents() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	iosVersions := []string{"17_5", "17_4_1", "17_2", "16_6", "16_5", "16_1", "15_7", "15_4", "14_8", "14_0"}
	androidModels := []string{"SM-G991B", "SM-A515F", "SM-S918B", "Pixel 7", "Pixel 6a", "Moto G (4)", "moto g(30)", "Redmi Note 8 Pro", "M2101K6G", "CPH2219", "ONEPLUS A6013", "RMX3085", "V2111", "SM-A125F", "Nokia 5.4", "LM-K420", "2201117TY", "SM-G960F", "Infinix X6816", "TECNO KG5"}
	tabletModels := []string{"SM-T510", "SM-X200", "Lenovo TB-X606F", "SM-T220", "Nexus 9", "KFTRWI", "MediaPad M5"}
	chrome := []int{125, 124, 123, 122, 120, 118, 116, 114, 110, 100}

	// Phones: Safari on iPhone, Chrome on Android.
	for _, v := range iosVersions {
		for _, sv := range []string{"17.5", "16.6", "15.6", "14.1"} {
			add("Mozilla/5.0 (iPhone; CPU iPhone OS %s like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/%s Mobile/15E148 Safari/604.1", v, sv)
		}
		add("Mozilla/5.0 (iPhone; CPU iPhone OS %s like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/%d.0.6422.80 Mobile/15E148 Safari/604.1", v, chrome[len(v)%len(chrome)])
	}
	for i, m := range androidModels {
		for _, av := range []int{14, 13, 12, 11, 10} {
			for _, c := range chrome[:6] {
				add("Mozilla/5.0 (Linux; Android %d; %s) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.%d.%d Mobile Safari/537.36", av, m, c, 6000+c*3, 60+i)
			}
		}
	}
	// Desktops.
	for _, c := range chrome {
		for b := 0; b < 8; b++ {
			add("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.%d.%d Safari/537.36", c, 6000+c, 50+b)
			add("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.%d.%d Safari/537.36", c, 6000+c, 50+b)
			add("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36 Edg/%d.0.%d.%d", c, c, 2000+c, b)
		}
		add("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36", c)
		add("Mozilla/5.0 (X11; CrOS x86_64 %d.%d.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36", 15000+c*10, c, c)
	}
	for fx := 100; fx <= 127; fx++ {
		add("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:%d.0) Gecko/20100101 Firefox/%d.0", fx, fx)
		add("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:%d.0) Gecko/20100101 Firefox/%d.0", fx, fx)
		add("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:%d.0) Gecko/20100101 Firefox/%d.0", fx, fx)
	}
	for _, sv := range []string{"17.5", "17.4.1", "17.1", "16.6", "16.1", "15.6.1"} {
		add("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/%s Safari/605.1.15", sv)
	}
	// Tablets.
	for _, v := range iosVersions {
		add("Mozilla/5.0 (iPad; CPU OS %s like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1", v)
	}
	for _, m := range tabletModels {
		for _, c := range chrome {
			add("Mozilla/5.0 (Linux; Android 12; %s) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/%d.0.0.0 Safari/537.36", m, c)
		}
	}
	// In-app web views: the long tail of ad traffic.
	for i, v := range iosVersions {
		for build := 0; build < 12; build++ {
			add("Mozilla/5.0 (iPhone; CPU iPhone OS %s like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/%d.0.0.%d.%d;FBBV/%d;FBDV/iPhone14,%d;FBMD/iPhone;FBSN/iOS;FBSV/16.5;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]", v, 440+build, build, i, 500000000+build*1000+i, 2+build%6)
			add("Mozilla/5.0 (iPhone; CPU iPhone OS %s like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram %d.0.0.%d.%d (iPhone13,2; iOS 16_5; en_US; en; scale=3.00; 1170x2532; %d)", v, 280+build, build, i, 480000000+build)
		}
	}
	for i, m := range androidModels {
		for build := 0; build < 6; build++ {
			add("Mozilla/5.0 (Linux; Android 13; %s Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/%d.0.%d.%d Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/%d.0.0.%d.%d;]", m, chrome[build], 6000+build, 100+i, 450+build, build, i)
			add("Mozilla/5.0 (Linux; Android 12; %s Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/%d.0.0.0 Mobile Safari/537.36 Instagram %d.0.0.%d.%d Android (31/12; 420dpi; 1080x2340; samsung; %s; a51; exynos9611; en_US; %d)", m, chrome[build], 290+build, build, i, m, 490000000+i)
		}
		add("Dalvik/2.1.0 (Linux; U; Android 11; %s Build/RP1A.200720.012)", m)
	}
	// Crawlers and tools.
	for _, bot := range []string{
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.175 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
		"Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
		"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
		"Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
		"Twitterbot/1.0",
		"curl/8.4.0",
		"python-requests/2.31.0",
		"okhttp/4.9.2",
	} {
		add("%s", bot)
	}
	// TVs, consoles, watches and oddities.
	for _, s := range []string{
		"Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36",
		"Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.79 Safari/537.36 WebAppManager",
		"Roku/DVP-9.10 (519.10E04111A)",
		"AppleTV11,1/11.1",
		"Mozilla/5.0 (Linux; Android 9; AFTMM Build/PS7233; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/108.0.5359.160 Mobile Safari/537.36",
		"Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/48.0.2564.82 Safari/537.36 Edge/20.02",
		"Mozilla/5.0 (Nintendo Switch; WifiWebAuthApplet) AppleWebKit/606.4 (KHTML, like Gecko) NF/6.0.1.15.4 NintendoBrowser/5.1.0.20393",
		"Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063",
		"MyShop/3.2.1 (iPhone; iOS 16.1; Scale/3.00)",
		"iPhone Banana Phone",
		"",
	} {
		add("%s", s)
	}
	return dedupe(out)
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
