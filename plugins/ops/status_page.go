package ops

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"time"
)

// statusView is what the page template shows.
type statusView struct {
	Now        string
	Refresh    int
	Keys       Keys
	Pattern    string
	Depths     Depths
	RedisErr   error
	Throughput Throughput
	Dead       []deadView
}

type deadView struct {
	Line  string // quoted with %q: binary and control bytes escaped
	Bytes int
	Error string
}

func (p *StatusPage) render(ctx context.Context, w http.ResponseWriter) {
	v := statusView{
		Now:        time.Now().UTC().Format(time.RFC3339),
		Refresh:    int(statusRefresh / time.Second),
		Keys:       p.keys,
		Pattern:    p.keys.ProcessingPattern(),
		Throughput: p.rates.throughput(),
	}
	v.Depths, v.RedisErr = ReadDepths(ctx, p.client, p.keys)
	if v.RedisErr == nil {
		dls, err := Newest(ctx, p.client, p.keys, statusShownDead)
		v.RedisErr = err
		for _, d := range dls {
			reason := ReasonParsesNow
			if d.Err != nil {
				reason = d.Err.Error()
			}
			v.Dead = append(v.Dead, deadView{Line: quoteLine(d.Line), Bytes: len(d.Line), Error: reason})
		}
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = pageTmpl.Execute(w, v)
}

func rate(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func count(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) }

const pageStyle = `<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:1.5em}
th,td{text-align:left;padding:.3em 1em .3em 0;border-bottom:1px solid #ddd}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code{background:#f4f4f4;padding:.1em .3em;word-break:break-all}
.err{color:#a00}
li{margin-bottom:.6em}
</style>`

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{"rate": rate, "count": count}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{{.Refresh}}">
<title>kafkastore status</title>
` + pageStyle + `
</head><body>
<h1>kafkastore status</h1>
<p>Updated {{.Now}}, refreshes every {{.Refresh}}s.</p>

<h2>Throughput</h2>
{{with .Throughput}}{{if .Err}}<p class="err" id="metrics-error">Metrics unavailable: {{.Err}}</p>
{{else}}<table>
<tr><th></th><th>lines/s (last 30s)</th><th>total</th></tr>
<tr><th>delivered to Kafka</th><td class="n" id="rate-delivered">{{if .Known}}{{rate .Delivered}}{{else}}…{{end}}</td><td class="n" id="total-delivered">{{count .DeliveredTotal}}</td></tr>
<tr><th>dead-lettered</th><td class="n" id="rate-dead">{{if .Known}}{{rate .DeadLettered}}{{else}}…{{end}}</td><td class="n" id="total-dead">{{count .DeadLetterTotal}}</td></tr>
</table>{{end}}{{end}}

<h2>Queue depths</h2>
{{if .RedisErr}}<p class="err" id="redis-error">Redis: {{.RedisErr}}</p>
{{else}}<table>
<tr><th>queue</th><td><code>{{.Keys.Queue}}</code></td><td class="n" id="depth-queue">{{.Depths.Queue}}</td></tr>
<tr><th>processing</th><td><code>{{.Pattern}}</code></td><td class="n" id="depth-processing">{{.Depths.Processing.Elements}} in {{.Depths.Processing.Lists}} lists</td></tr>
<tr><th>dead letters</th><td><code>{{.Keys.Invalid}}</code></td><td class="n" id="depth-dead">{{.Depths.Invalid}}</td></tr>
</table>{{end}}

<h2>Newest dead letters</h2>
{{if .Dead}}<ol id="dead-letters">
{{range .Dead}}<li><code>{{.Line}}</code> ({{.Bytes}} bytes)<br><span class="err">{{.Error}}</span></li>
{{end}}</ol>{{else}}<p>None.</p>{{end}}
</body></html>
`))

var unauthorizedTmpl = template.Must(template.New("401").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>401 Unauthorized</title>
` + pageStyle + `
</head><body>
<h1 id="unauthorized">401 Unauthorized</h1>
<p>The kafkastore status page needs credentials: open the URL logged at start
(with <code>?token=</code>), send <code>Authorization: Bearer</code> with
<code>STATUS_TOKEN</code>, or sign in with <code>STATUS_USER</code> and
<code>STATUS_PASSWORD</code>.</p>
</body></html>
`))
