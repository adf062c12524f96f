"""The risk report as one offline HTML page.

The page embeds the JSON summary and draws its charts (SVG) from it in the
browser, so what the charts show is exactly what ``risk.json`` says; no network,
no library.  The summary holds counts and rates only, never a value of a row.
"""

from __future__ import annotations

import html
import json
from typing import Any

from anonymizer.redact.registry import PLACEHOLDERS
from core.fonts import FONT_FAMILY

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>Re-identification risk · {run_id}</title>
<style>
body {{ font: 14px/1.45 {font_family}; margin: 2em auto; max-width: 72em; color: #222; }}
h1 {{ font-size: 1.5em; }} h2 {{ font-size: 1.15em; margin-top: 2em; }}
.pass {{ color: #176b2c; }} .fail {{ color: #b3261e; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.chart {{ width: 100%; height: 260px; }}
.legend span {{ display: inline-block; margin-right: 1.2em; }}
.sw {{ display: inline-block; width: .9em; height: .9em; margin-right: .3em; vertical-align: -.1em; }}
ul {{ margin: .2em 0; }}
</style></head>
<body>
<h1>Re-identification risk <small>{title}</small></h1>
<p id="verdict" class="{verdict_class}">{verdict}</p>
<h2>The adversary</h2>
<p id="adversary">{adversary}</p>
<p>Thresholds: k ≥ {k_analysts} for marts analysts use, k ≥ {k_shared} (and small cells suppressed)
for anything shared beyond them, at most {max_suppression} of a mart's people suppressed, and every
attack below re-identifying fewer than {linkage_max_rate} of its targets.</p>
<h2>Attacks: share of targets re-identified, untreated and released</h2>
<div class="legend" id="attack-legend"></div>
<svg id="attack-chart" class="chart" role="img" aria-label="attack rates"></svg>
<table id="attacks"><thead><tr><th>mart</th><th>the attacker knows</th><th>columns used</th><th>targets</th>
<th>untreated</th><th>released</th></tr></thead><tbody></tbody></table>
<h2>Equivalence-class sizes (people), before and after treatment</h2>
<div id="histograms"></div>
<h2>Figures and information lost</h2>
<table id="figures"><thead><tr><th>mart</th><th>release</th><th>k (required)</th><th>classes</th>
<th>sample-unique</th><th>prosecutor max / avg</th><th>suppressed</th><th>released levels</th>
<th>generalisation loss</th><th>suppression loss</th></tr></thead><tbody></tbody></table>
<h2>Redacted free text: placeholders per type, rows released and withheld</h2>
<p>Each placeholder in the released text is an identifier the redactor replaced; the residual
column is what its detectors still find in the released text (an ID, mobile, card, e-mail or
OpenID there refuses the release; counts only, never a value).</p>
<div class="legend" id="text-legend"></div>
<svg id="text-chart" class="chart" role="img" aria-label="redacted spans per type"></svg>
<table id="text"><thead></thead><tbody></tbody></table>
<h2>What the release gate did</h2>
<div id="actions"></div>
<script id="summary" type="application/json">{summary}</script>
<script id="placeholders" type="application/json">{placeholders}</script>
<script>
const S = JSON.parse(document.getElementById('summary').textContent);
const P = JSON.parse(document.getElementById('placeholders').textContent);  // kind → what the notes show
const NS = 'http://www.w3.org/2000/svg';
const pct = x => x == null ? '–' : (100 * x).toFixed(2) + ' %';
function el(tag, attrs, parent, text) {{
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text != null) e.textContent = text;
  parent.appendChild(e); return e;
}}
function bars(svg, groups, series, max) {{
  const W = svg.clientWidth || 900, H = 260, pad = 40, gw = (W - pad) / Math.max(groups.length, 1);
  const bw = Math.max(4, (gw - 16) / series.length);
  el('line', {{x1: pad, y1: H - 30, x2: W, y2: H - 30, stroke: '#999'}}, svg);
  groups.forEach((g, i) => {{
    series.forEach((s, j) => {{
      const v = s.values[i] || 0, h = max ? (H - 60) * v / max : 0;
      const r = el('rect', {{x: pad + i * gw + 8 + j * bw, y: H - 30 - h, width: bw - 2, height: h,
                             fill: s.color, 'data-value': v}}, svg);
      el('title', {{}}, r, `${{s.name}}: ${{s.format ? s.format(v) : v}}`);
    }});
    el('text', {{x: pad + i * gw + gw / 2, y: H - 12, 'text-anchor': 'middle', 'font-size': 11}}, svg, g);
  }});
  el('text', {{x: 2, y: 14, 'font-size': 11}}, svg, max && max <= 1 ? pct(max) : String(max));
}}
function legend(div, series) {{
  div.innerHTML = series.map(s => `<span><i class="sw" style="background:${{s.color}}"></i>${{s.name}}</span>`).join('');
}}
const individual = S.marts.filter(m => m.kind === 'individual');
const attacks = individual.flatMap(m => m.attacks.map(a => Object.assign({{mart: m.mart}}, a)));
const attackSeries = [
  {{name: 'untreated', color: '#c9c9c9', values: attacks.map(a => a.before), format: pct}},
  {{name: 'released', color: '#b3261e', values: attacks.map(a => a.after), format: pct}},
];
legend(document.getElementById('attack-legend'), attackSeries);
bars(document.getElementById('attack-chart'), attacks.map((a, i) => String(i + 1)), attackSeries, 1);
const abody = document.querySelector('#attacks tbody');
attacks.forEach((a, i) => {{
  const tr = document.createElement('tr');
  for (const c of [`${{i + 1}}. ${{a.mart}}`, a.knowledge, a.columns.join(', '), a.targets, pct(a.before), pct(a.after)]) {{
    const td = document.createElement('td'); td.textContent = c; tr.appendChild(td);
  }}
  abody.appendChild(tr);
}});
const hist = document.getElementById('histograms');
for (const m of individual) {{
  const h = document.createElement('div');
  h.innerHTML = `<h3>${{m.mart}}</h3><div class="legend"></div>`;
  const svg = el('svg', {{class: 'chart histogram', role: 'img', 'aria-label': 'class sizes of ' + m.mart}}, h);
  hist.appendChild(h);
  const buckets = Object.keys(m.after.histogram);
  const series = [{{name: 'people, untreated', color: '#c9c9c9', values: buckets.map(b => m.before.histogram[b])}},
                  {{name: 'people, released', color: '#176b2c', values: buckets.map(b => m.after.histogram[b])}}];
  legend(h.querySelector('.legend'), series);
  bars(svg, buckets.map(b => 'class size ' + b), series, Math.max(1, ...series.flatMap(s => s.values)));
}}
const tbody = document.querySelector('#figures tbody');
for (const m of S.marts) {{
  const a = m.after, c = m.cells, tr = document.createElement('tr');
  if (m.failures.length) tr.className = 'fail';
  const cells = a ? [m.mart, m.release, `${{a.k ?? '–'}} (${{m.k_required}})`, a.classes, pct(a.sample_unique_share),
      `${{pct(a.prosecutor_max)}} / ${{pct(a.prosecutor_avg)}}`, `${{a.suppressed}} of ${{a.people}} people`,
      Object.entries(m.released_levels).map(([q, l]) => `${{q}}: ${{l}}`).join(', '),
      pct(m.information_loss.generalisation), pct(m.information_loss.suppression)]
    : [m.mart, m.release, `${{c.smallest ?? '–'}} (${{m.k_required}})`, c.cells, '–', '–',
       `${{c.suppressed}} of ${{c.cells}} cells`, 'aggregate', '–', pct(m.information_loss.suppression)];
  for (const x of cells) {{ const td = document.createElement('td'); td.textContent = x; tr.appendChild(td); }}
  tbody.appendChild(tr);
}}
const texts = S.marts.filter(m => m.text);
const kinds = [...new Set(texts.flatMap(m => Object.keys(m.text.spans)))];
const textSeries = texts.map((m, i) => ({{name: m.mart, color: ['#1f5fa8', '#8a5a00', '#5b2a86'][i % 3],
                                         values: kinds.map(k => m.text.spans[k] || 0)}}));
legend(document.getElementById('text-legend'), textSeries);
bars(document.getElementById('text-chart'), kinds, textSeries, Math.max(1, ...textSeries.flatMap(s => s.values)));
const thead = document.querySelector('#text thead'), tb = document.querySelector('#text tbody');
const head = document.createElement('tr');
for (const c of ['mart', 'rows released', 'withheld', ...kinds.map(k => `${{k}} ${{P[k] ?? ''}}`),
                 'residual identifiers']) {{
  const th = document.createElement('th'); th.textContent = c; head.appendChild(th);
}}
thead.appendChild(head);
for (const m of texts) {{
  const t = m.text, tr = document.createElement('tr');
  const found = Object.entries(t.residual).filter(([, n]) => n).map(([k, n]) => `${{k}}: ${{n}}`);
  if (found.some(f => t.refused_kinds.includes(f.split(':')[0]))) tr.className = 'fail';
  for (const x of [m.mart, t.released, t.withheld, ...kinds.map(k => t.spans[k] ?? 0), found.join(', ') || 'none']) {{
    const td = document.createElement('td'); td.textContent = x; tr.appendChild(td);
  }}
  tb.appendChild(tr);
}}
document.getElementById('actions').innerHTML = S.marts.map(m =>
  `<p><b>${{m.mart}}</b>: ${{m.actions.length ? '' : 'nothing needed'}}</p>` +
  (m.actions.length || m.failures.length ? '<ul>' + m.actions.concat(m.failures.map(f => 'FAILS: ' + f))
    .map(x => `<li>${{x.replace(/</g, '&lt;')}}</li>`).join('') + '</ul>' : '')).join('');
document.body.dataset.rendered = 'true';
</script>
</body></html>
"""


def render(summary: dict[str, Any]) -> str:
    p = summary["policy"]
    failing = [m["mart"] for m in summary["marts"] if m["failures"]]
    verdict = ("every mart meets its thresholds" if not failing
               else "FAILS: " + ", ".join(failing) + " (the release was not published)")
    data = json.dumps(summary, ensure_ascii=False).replace("</", "<\\/")
    title = (f"measured {summary['as_of']} (release of run {summary['run_id']}), nothing treated"
             if summary.get("measured_only") else f"run {summary['run_id']}, as of {summary['as_of']}")
    return PAGE.format(
        title=html.escape(title), run_id=html.escape(summary["run_id"]), adversary=html.escape(summary["adversary"]),
        verdict=html.escape(verdict), verdict_class="fail" if failing else "pass",
        k_analysts=p["k_analysts"], k_shared=p["k_shared"], max_suppression=f"{p['max_suppression']:.0%}",
        linkage_max_rate=f"{p['linkage_max_rate']:.0%}", summary=data, font_family=FONT_FAMILY,
        placeholders=json.dumps(PLACEHOLDERS, ensure_ascii=False).replace("</", "<\\/"))
