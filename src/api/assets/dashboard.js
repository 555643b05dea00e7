// The Stringer dashboard: reads the JSON API and draws with plain DOM and inline SVG.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const state = { selected: null };

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v;
    else if (k === "title") node.title = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

async function getJSON(path) {
  const res = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

function ago(iso) {
  if (!iso) return "never";
  const s = (Date.now() - new Date(iso).getTime()) / 1000;
  if (s < 90) return "just now";
  if (s < 5400) return Math.round(s / 60) + " min ago";
  if (s < 129600) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " days ago";
}

function when(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

function sparkline(points, width, height) {
  const box = svg("svg", { class: "spark", width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
  const values = points.map((p) => p.articles);
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const xy = values.map((v, i) => [i * step, height - 2 - (v / max) * (height - 4)]);
  const line = xy.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(" ");
  box.append(svg("polygon", { points: `0,${height} ${line} ${width},${height}` }));
  box.append(svg("polyline", { points: line }));
  return box;
}

function barChart(points, bucket) {
  const width = 640, height = 190, left = 30, bottom = 20, top = 8;
  const box = svg("svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", role: "img" });
  const max = Math.max(1, ...points.map((p) => p.articles));
  const plotW = width - left - 4, plotH = height - top - bottom;
  const bw = plotW / Math.max(1, points.length);
  const ticks = max >= 4 ? [0, Math.round(max / 2), max] : [0, max];
  for (const tick of ticks) {
    const y = top + plotH * (1 - tick / max);
    box.append(svg("line", { class: "axis", x1: left, x2: width, y1: y, y2: y }));
    const label = svg("text", { x: left - 4, y: y + 3, "text-anchor": "end" });
    label.textContent = tick;
    box.append(label);
  }
  points.forEach((p, i) => {
    const h = (p.articles / max) * plotH;
    const rect = svg("rect", { class: "bar", x: left + i * bw + bw * 0.1, y: top + plotH - h, width: Math.max(1, bw * 0.8), height: h });
    const tip = svg("title", {});
    tip.textContent = `${when(p.time)}: ${p.articles} article${p.articles === 1 ? "" : "s"}`;
    rect.append(tip);
    box.append(rect);
  });
  const labels = Math.min(6, points.length);
  for (let k = 0; k < labels; k++) {
    const i = Math.floor((k * (points.length - 1)) / Math.max(1, labels - 1));
    const t = new Date(points[i].time);
    const anchor = k === 0 ? "start" : k === labels - 1 ? "end" : "middle";
    const x = k === 0 ? left + i * bw : k === labels - 1 ? left + (i + 1) * bw : left + i * bw + bw / 2;
    const text = svg("text", { x, y: height - 5, "text-anchor": anchor });
    text.textContent = bucket === "day" ? t.toLocaleDateString(undefined, { month: "short", day: "numeric" })
      : t.toLocaleString(undefined, { weekday: "short", hour: "2-digit" });
    box.append(text);
  }
  return box;
}

function typeBadge(kind) {
  return el("span", { class: `type ${kind}` }, kind);
}

async function loadTrends() {
  const params = new URLSearchParams({ window: document.getElementById("window").value, limit: "10" });
  const type = document.getElementById("type").value;
  if (type) params.set("type", type);
  const rows = await getJSON(`/api/trends?${params}`);
  const body = document.querySelector("#trends tbody");
  body.replaceChildren();
  document.getElementById("trends-empty").hidden = rows.length > 0;
  for (const r of rows) {
    const spark = el("td", { class: "spark-cell" });
    const tr = el("tr", { "data-name": r.name, "data-type": r.type },
      el("td", { class: "name" }, r.name), el("td", {}, typeBadge(r.type)),
      el("td", { class: "num" }, r.articles), el("td", { class: "num" }, r.sources),
      el("td", { class: "num" }, r.baseline.toFixed(1)), el("td", { class: "num" }, r.score.toFixed(1)), spark);
    tr.addEventListener("click", () => selectEntity(r.name, r.type));
    body.append(tr);
    getJSON(`/api/entities/${encodeURIComponent(r.name)}?type=${r.type}&window=7d&bucket=day&limit=1`)
      .then((e) => spark.append(sparkline(e.timeline, 110, 26)))
      .catch(() => spark.append("–"));
  }
  if (rows.length && !rows.some((r) => state.selected && r.name === state.selected.name)) {
    await selectEntity(rows[0].name, rows[0].type);
  }
}

async function selectEntity(name, type) {
  state.selected = { name, type };
  for (const tr of document.querySelectorAll("#trends tbody tr")) {
    tr.classList.toggle("selected", tr.dataset.name === name && tr.dataset.type === type);
  }
  const params = new URLSearchParams({ window: "7d", bucket: "hour", limit: "6" });
  if (type) params.set("type", type);
  const e = await getJSON(`/api/entities/${encodeURIComponent(name)}?${params}`);
  document.getElementById("entity-title").replaceChildren("Mentions over time: ", el("span", { class: "name" }, e.name), " ", typeBadge(e.type));
  document.getElementById("entity-meta").textContent = `${e.articles} articles in the last 7 days, per hour`;
  document.getElementById("entity-chart").replaceChildren(barChart(e.timeline, e.bucket));
  const co = document.getElementById("entity-co");
  co.replaceChildren(...e.co_mentions.map((c) => {
    const li = el("li", { title: `${c.articles} shared articles` }, c.name, el("b", {}, c.articles));
    li.addEventListener("click", () => selectEntity(c.name, c.type));
    return li;
  }));
  const list = document.getElementById("entity-articles");
  list.replaceChildren(...e.latest_articles.map((a) => el("li", {},
    el("a", { href: a.url, target: "_blank", rel: "noopener" }, a.title || a.url),
    el("div", { class: "meta" }, [a.source, when(a.event_time)].filter(Boolean).join(" · ")))));
}

async function loadStories() {
  const stories = await getJSON(`/api/stories?window=${document.getElementById("window").value}&limit=8`);
  document.getElementById("stories-empty").hidden = stories.length > 0;
  document.getElementById("stories").replaceChildren(...stories.map((s) => el("li", {},
    el("div", { class: "story-title" }, s.title || "(untitled story)"),
    el("div", { class: "meta" }, `${s.articles} article${s.articles === 1 ? "" : "s"} · ${s.sources.length} source${s.sources.length === 1 ? "" : "s"} · first seen ${when(s.first_seen)}`),
    el("div", { class: "sources" }, ...s.sources.slice(0, 12).map((d) => el("span", { class: "source" }, d)),
      s.sources.length > 12 ? el("span", { class: "source" }, `+${s.sources.length - 12}`) : null))));
}

async function loadFeeds() {
  const feeds = await getJSON("/api/feeds");
  const rank = { failing: 0, silent: 1, new: 2, ok: 3 };
  feeds.sort((a, b) => rank[a.status] - rank[b.status] || a.url.localeCompare(b.url));
  document.querySelector("#feeds tbody").replaceChildren(...feeds.map((f) => el("tr", { class: f.status },
    el("td", {}, el("div", {}, f.title || f.url), f.title ? el("div", { class: "feed-url" }, f.url) : null),
    el("td", {}, el("span", { class: `pill ${f.status}` }, f.status)),
    el("td", {}, ago(f.last_checked_at)),
    el("td", { class: "num" }, f.consecutive_failures),
    el("td", { class: "num" }, f.articles),
    el("td", {}, f.last_error ? el("div", { class: "error-text", title: f.last_error }, f.last_error) : ""))));
}

async function refresh() {
  const updated = document.getElementById("updated");
  const results = await Promise.allSettled([loadTrends(), loadStories(), loadFeeds()]);
  const failed = results.find((r) => r.status === "rejected");
  updated.textContent = failed ? `error: ${failed.reason.message}` : `updated ${new Date().toLocaleTimeString()}`;
}

document.getElementById("window").addEventListener("change", refresh);
document.getElementById("type").addEventListener("change", () => { state.selected = null; refresh(); });
refresh();
setInterval(refresh, 60000);
