// The emulator's dashboard. Everything it shows and changes goes through the admin API
// (/_emulator/...), the calls tests make: it has no other access to the emulator.
"use strict";

const API = "/_emulator/";
const REFRESH_MS = 2000;
const JOURNAL_LIMIT = 200; // the newest entries that match the filters
// Tables' columns: [title, width]; the widths keep every table of a kind aligned.
const JOURNAL_COLUMNS = [["#", "4%"], ["time", "11%"], ["", "6%"], ["path", "27%"], ["operation", "23%"], ["status", "8%"], ["took", "9%"], ["tenancy", "12%"]];
const RESOURCE_COLUMNS = [["name", "15%"], ["id", "26%"], ["state", "21%"], ["etag", "13%"], ["tenancy", "10%"], ["updated", "15%"]];
const WORK_REQUEST_COLUMNS = [["operation", "18%"], ["status", "12%"], ["progress", "10%"], ["resources", "20%"], ["last log", "20%"], ["errors", "6%"], ["accepted", "7%"], ["finished", "7%"]];

const view = {
  selected: null, // id of the journal entry shown on the right
  entry: null, // that entry, with its headers and bodies
  open: new Set(), // ids of resources and work requests whose JSON is shown
  seen: { operation: new Set(), tenancy: new Set() }, // filter choices met so far
  data: { journal: [], state: null, clock: null, config: null, faults: [] },
  timer: null,
};

// -- the admin API --------------------------------------------------------------------------------
async function api(path, method = "GET", body = undefined) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["content-type"] = "application/json";
  }
  const resp = await fetch(API + path, init);
  const text = await resp.text();
  const data = text ? JSON.parse(text) : null;
  if (!resp.ok) {
    throw new Error(`${method} ${API}${path}: ${resp.status} ${data && data.code}: ${data && data.message}`);
  }
  return data;
}

// An action from the page: run it, show its error if any, then refresh what it changed.
async function act(fn) {
  try {
    await fn();
    showError(null);
  } catch (err) {
    showError(err);
  }
  await refresh();
}

function showError(err) {
  const box = document.getElementById("error");
  box.hidden = !err;
  box.textContent = err ? String(err.message || err) : "";
}

// -- building the page (text only: nothing from the emulator is ever parsed as HTML) -----------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined && child !== false) el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

function table(headings, rows) {
  return h(
    "table",
    { class: "fixed" },
    h("colgroup", {}, headings.map(([, width]) => h("col", { style: `width: ${width}` }))),
    h("thead", {}, h("tr", {}, headings.map(([title]) => h("th", {}, title)))),
    h("tbody", {}, rows)
  );
}

function fill(id, ...children) {
  document.getElementById(id).replaceChildren(...children.flat(Infinity));
}

const STATE_CLASSES = {
  ok: ["ACTIVE", "SUCCEEDED", "completed"],
  warn: ["CREATING", "UPDATING", "DELETING", "ACCEPTED", "IN_PROGRESS", "CANCELING", "in_progress", "queued", "INACTIVE"],
  bad: ["FAILED", "failed", "CANCELED", "cancelled", "incomplete", "REVOKED", "EXPIRED"],
};

function badge(text) {
  const kind = Object.keys(STATE_CLASSES).find((k) => STATE_CLASSES[k].includes(text));
  return h("span", { class: `badge ${kind || ""}` }, text ?? "—");
}

function statusBadge(status) {
  return h("span", { class: `badge ${status < 300 ? "ok" : status < 500 ? "warn" : "bad"}` }, status);
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text; // not JSON: an event stream, or a body cut short
  }
}

function json(value) {
  return h("pre", { class: "json" }, typeof value === "string" ? pretty(value) : JSON.stringify(value, null, 2));
}

function clockTime(iso) {
  return iso ? iso.replace("T", " ").replace("Z", "") : "";
}

function ms(value) {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
}

function secondsToIso(seconds) {
  return new Date(seconds * 1000).toISOString();
}

function emulatorNow() {
  return view.data.clock ? Date.parse(view.data.clock.now) / 1000 : Date.now() / 1000;
}

// -- the request journal --------------------------------------------------------------------------
function journalQuery() {
  const query = new URLSearchParams({ limit: JOURNAL_LIMIT });
  for (const [name, value] of new FormData(document.getElementById("filters"))) if (value) query.set(name, value);
  return query;
}

function renderJournal() {
  const entries = view.data.journal;
  for (const e of entries) {
    if (e.operation) view.seen.operation.add(e.operation);
    if (e.tenancy) view.seen.tenancy.add(e.tenancy);
  }
  updateChoices("operation");
  updateChoices("tenancy");
  document.getElementById("count-requests").textContent = entries.length;
  document.getElementById("journal-note").textContent =
    entries.length >= JOURNAL_LIMIT ? `the newest ${JOURNAL_LIMIT} that match` : "";
  const rows = entries
    .slice()
    .reverse()
    .map((e) =>
      h(
        "tr",
        { class: `row${e.id === view.selected ? " selected" : ""}`, "data-id": e.id, onclick: () => openEntry(e.id) },
        h("td", { class: "num muted" }, e.id),
        h("td", { class: "mono nowrap" }, clockTime(e.time).slice(11)),
        h("td", {}, e.method),
        h("td", { class: "id", title: e.path + (e.query ? `?${e.query}` : "") }, e.path + (e.query ? `?${e.query}` : "")),
        h("td", { class: "nowrap ellipsis", title: e.operation || "" }, e.operation || h("span", { class: "muted" }, "(no route)")),
        h("td", {}, statusBadge(e.status)),
        h("td", { class: "num" }, ms(e.durationMs)),
        h("td", { class: "id", title: e.tenancy || "" }, e.tenancy ? e.tenancy.slice(-12) : "")
      )
    );
  fill("journal", rows.length ? table(JOURNAL_COLUMNS, rows)
    : h("p", { class: "muted" }, "No request matches yet: calls to the OCI and OpenAI-compatible APIs appear here."));
}

function updateChoices(name) {
  const select = document.querySelector(`#filters select[name=${name}]`);
  const have = new Set([...select.options].map((o) => o.value));
  for (const value of [...view.seen[name]].sort()) if (!have.has(value)) select.append(h("option", { value }, value));
  if (name === "operation") {
    const list = document.getElementById("operations");
    list.replaceChildren(...[...view.seen.operation].sort().map((value) => h("option", { value })));
  }
}

async function openEntry(id) {
  view.selected = id;
  try {
    view.entry = await api(`requests/${id}`);
  } catch (err) {
    view.entry = null;
    showError(err);
  }
  renderEntry();
  renderJournal();
}

function headerTable(headers) {
  const rows = Object.entries(headers).map(([k, v]) => h("tr", {}, h("td", {}, k), h("td", {}, v)));
  return h("table", { class: "headers" }, h("tbody", {}, rows));
}

function bodyOf(side) {
  if (!side.bodyBytes) return h("p", { class: "muted" }, "no body");
  const note = [
    `${side.bodyBytes} bytes`,
    side.truncated ? `, the first ${new Blob([side.body]).size} kept` : "",
    side.streaming ? ", still streaming" : "",
  ].join("");
  return [h("p", { class: "muted" }, note), json(side.body)];
}

function renderEntry() {
  const e = view.entry;
  if (!e) return fill("entry", h("p", { class: "muted" }, "Open a request to see its headers and bodies."));
  const target = e.path + (e.query ? `?${e.query}` : "");
  const took = e.streamMs !== undefined ? `${ms(e.durationMs)} to answer, ${ms(e.streamMs)} to the stream's end` : ms(e.durationMs);
  fill(
    "entry",
    h("h3", {}, `${e.method} ${target}`),
    h("p", {}, statusBadge(e.status), ` ${e.operation || "(no route)"} · ${took} · ${clockTime(e.time)}`),
    h("p", { class: "muted mono" }, `request id ${e.requestId} · tenancy ${e.tenancy || "—"}`),
    h("h3", {}, "Request headers"),
    headerTable(e.request.headers),
    h("h3", {}, "Request body"),
    bodyOf(e.request),
    h("h3", {}, "Response headers"),
    headerTable(e.response.headers),
    h("h3", {}, "Response body"),
    bodyOf(e.response)
  );
}

// -- resources and work requests (from the state export: what is stored, as it is stored) -----------
function scopeOf(doc) {
  return doc.compartmentId || doc._scope || "(no compartment)";
}

function groupBy(items, key) {
  const groups = new Map();
  for (const item of items) {
    const k = key(item);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(item);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function toggle(id) {
  if (view.open.has(id)) view.open.delete(id);
  else view.open.add(id);
  renderResources();
  renderWorkRequests();
}

function pendingText(rec) {
  return rec.pending ? `→ ${rec.pending.to} ${dueText(rec.due)}` : "";
}

// When a pending transition lands (the page shows what is stored: looking lands nothing).
function dueText(due) {
  if (due === undefined || due === null) return "(manual: waits for \"Complete pending transitions\")";
  const left = due - emulatorNow();
  return left > 0 ? `due in ${left.toFixed(0)} s` : "due: lands with the next API call";
}

// A row that opens, on a click, to "more" and the record's whole JSON as stored.
function expandable(rec, cells, more = []) {
  const row = h("tr", { class: "row", onclick: () => toggle(rec.id) }, cells);
  if (!view.open.has(rec.id)) return [row];
  return [row, h("tr", {}, h("td", { class: "detail", colspan: cells.length }, more, json(rec)))];
}

function resourceRow(rec) {
  const doc = rec.doc;
  const cells = [
    h("td", {}, doc.displayName || doc.name || ""),
    h("td", { class: "id", title: rec.id }, rec.id),
    h("td", {}, badge(doc.lifecycleState || doc.status), " ", h("span", { class: "muted" }, pendingText(rec))),
    h("td", { class: "id", title: rec.etag }, rec.etag),
    h("td", { class: "id", title: rec.tenancy }, rec.tenancy.slice(-12)),
    h("td", { class: "mono nowrap" }, clockTime(doc.timeUpdated || doc.timeCreated || (doc.created_at && secondsToIso(doc.created_at)))),
  ];
  return expandable(rec, cells);
}

function renderResources() {
  const state = view.data.state;
  if (!state) return;
  const resources = state.resources;
  document.getElementById("count-resources").textContent = resources.length;
  if (!resources.length) return fill("resources", h("p", { class: "muted" }, "No resources yet: what the APIs create appears here."));
  fill(
    "resources",
    groupBy(resources, (r) => r.kind).map(([kind, records]) =>
      h(
        "div",
        { class: "group" },
        h("h2", {}, `${kind} `, h("span", { class: "count" }, `(${records.length})`)),
        groupBy(records, (r) => scopeOf(r.doc)).map(([scope, members]) => [
          h("h3", { class: "mono" }, scope, " ", h("span", { class: "muted" }, `(${members.length})`)),
          table(RESOURCE_COLUMNS, members.flatMap(resourceRow)),
        ])
      )
    )
  );
}

function progress(doc) {
  const pct = doc.percentComplete || 0;
  return h("span", { class: "nowrap" }, h("span", { class: "progress" }, h("span", { style: `width: ${pct}%` })), ` ${pct}%`);
}

function renderWorkRequests() {
  const state = view.data.state;
  if (!state) return;
  const wrs = state.workRequests.slice().sort((a, b) => (b.doc.timeAccepted || "").localeCompare(a.doc.timeAccepted || ""));
  document.getElementById("count-workrequests").textContent = wrs.length;
  if (!wrs.length) return fill("workrequests", h("p", { class: "muted" }, "No work requests yet: asynchronous operations make them."));
  const rows = wrs.flatMap((rec) => {
    const doc = rec.doc;
    const due = doc.status === "ACCEPTED" ? dueText(doc._due) : "";
    const logs = doc._logs || [];
    const errors = doc._errors || [];
    const cells = [
      h("td", {}, doc.operationType),
      h("td", {}, badge(doc.status), " ", h("span", { class: "muted" }, due)),
      h("td", {}, progress(doc)),
      h("td", {}, (doc.resources || []).map((r) => h("div", { class: "id", title: r.identifier }, `${r.entityType} ${r.actionType} ${r.identifier}`))),
      h("td", { class: "id", title: logs.length ? logs[logs.length - 1].message : "" }, logs.length ? logs[logs.length - 1].message : ""),
      h("td", { class: "num" }, errors.length ? h("span", { class: "badge bad" }, errors.length) : "0"),
      h("td", { class: "mono" }, clockTime(doc.timeAccepted).slice(11)),
      h("td", { class: "mono" }, clockTime(doc.timeFinished).slice(11)),
    ];
    const more = [
      h("h3", {}, "Logs"),
      h("ul", { class: "plain" }, logs.map((l) => h("li", {}, `${clockTime(l.timestamp)} ${l.message}`))),
      h("h3", {}, "Errors"),
      errors.length ? h("ul", { class: "plain" }, errors.map((e) => h("li", {}, `${clockTime(e.timestamp)} ${e.code}: ${e.message}`))) : h("p", { class: "muted" }, "none"),
    ];
    return expandable(rec, cells, more);
  });
  fill("workrequests", table(WORK_REQUEST_COLUMNS, rows));
}

// -- clock, policies, faults, generators, rules ---------------------------------------------------
function renderClock() {
  const clock = view.data.clock;
  if (!clock) return;
  document.getElementById("clock-now").textContent = clockTime(clock.now);
  document.getElementById("clock-offset").textContent = clock.offsetSeconds ? `(+${clock.offsetSeconds} s)` : "";
}

function renderPolicies() {
  const transitions = (view.data.config && view.data.config.transitions) || {};
  const rows = Object.entries(transitions).map(([kind, p]) =>
    h("tr", {}, h("td", {}, kind), h("td", {}, p.mode), h("td", {}, p.mode === "delay" ? `${p.seconds} s` : "—"), h("td", {}, badge(p.outcome)))
  );
  fill("policies", table([["kind", "25%"], ["mode", "25%"], ["delay", "25%"], ["outcome", "25%"]], rows));
  const kinds = document.querySelector("#policy-form select[name=kind]");
  if (!kinds.options.length) kinds.append(...Object.keys(transitions).map((k) => h("option", {}, k)));
}

function renderFaults() {
  const faults = view.data.faults;
  document.getElementById("count-faults").textContent = faults.length ? `(${faults.length} fault${faults.length > 1 ? "s" : ""})` : "";
  const rows = faults.map((f) =>
    h("tr", {}, h("td", {}, f.operation || "(any)"), h("td", {}, statusBadge(f.status)), h("td", {}, f.code), h("td", {}, f.message), h("td", { class: "num" }, f.times), h("td", {}, f.phase))
  );
  const columns = [["operation", "20%"], ["status", "8%"], ["code", "16%"], ["message", "40%"], ["times left", "8%"], ["phase", "8%"]];
  fill("faults", rows.length ? table(columns, rows) : h("p", { class: "muted" }, "No faults injected."));
}

async function loadSettings() {
  const [generators, rules] = await Promise.all([api("generators"), api("rules")]);
  document.getElementById("generators").value = JSON.stringify(generators, null, 2);
  document.getElementById("rules").textContent = JSON.stringify(rules, null, 2);
}

function parsed(id) {
  const text = document.getElementById(id).value;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`That is not JSON: ${err.message}`);
  }
}

// -- refresh and wiring ---------------------------------------------------------------------------
async function refresh() {
  try {
    const [clock, journal, state, config, faults] = await Promise.all([
      api("clock"),
      api(`requests?${journalQuery()}`),
      api("state"),
      api("config"),
      api("faults"),
    ]);
    Object.assign(view.data, { clock, journal: journal.items, state, config, faults: faults.items });
    if (view.entry && view.entry.response.streaming) view.entry = await api(`requests/${view.selected}`).catch(() => view.entry);
    renderClock();
    renderJournal();
    renderEntry();
    renderResources();
    renderWorkRequests();
    renderPolicies();
    renderFaults();
    document.getElementById("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    showError(err);
  }
}

function schedule() {
  clearTimeout(view.timer);
  if (document.getElementById("live").checked && document.visibilityState === "visible") {
    view.timer = setTimeout(async () => {
      await refresh();
      schedule();
    }, REFRESH_MS);
  }
}

function showTab(tab) {
  for (const button of document.querySelectorAll("nav button")) button.classList.toggle("active", button.dataset.tab === tab);
  for (const section of document.querySelectorAll("main > section")) section.hidden = section.id !== `tab-${tab}`;
  if (tab === "settings") loadSettings().catch(showError);
}

function on(id, event, handler) {
  document.getElementById(id).addEventListener(event, (ev) => {
    ev.preventDefault();
    handler(ev);
  });
}

function wire() {
  for (const button of document.querySelectorAll("nav button")) button.addEventListener("click", () => showTab(button.dataset.tab));
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => act(() => api("clock", "POST", { advanceSeconds: Number(button.dataset.advance) })));
  }
  on("clock-form", "submit", () => act(() => api("clock", "POST", { advanceSeconds: Number(document.getElementById("advance-seconds").value || 0) })));
  on("filters", "change", () => refresh());
  on("clear-journal", "click", () => act(() => api("requests", "DELETE")));
  on("policy-form", "submit", (ev) => {
    const form = Object.fromEntries(new FormData(ev.target));
    const policy = { mode: form.mode, outcome: form.outcome, ...(form.mode === "delay" ? { seconds: Number(form.seconds) } : {}) };
    act(() => api("config", "POST", { transitions: { [form.kind]: policy } }));
  });
  on("complete-transitions", "click", () => act(() => api("transitions/complete", "POST", {})));
  on("fault-form", "submit", (ev) => {
    const form = Object.fromEntries(new FormData(ev.target));
    const fault = { status: Number(form.status), times: Number(form.times), phase: form.phase, ...(form.operation ? { operation: form.operation } : {}) };
    act(() => api("faults", "POST", fault));
  });
  on("clear-faults", "click", () => act(() => api("faults", "DELETE")));
  on("save-generators", "click", () => act(async () => { await api("generators", "POST", parsed("generators")); await loadSettings(); }));
  on("clear-generators", "click", () => act(async () => { await api("generators", "DELETE"); await loadSettings(); }));
  on("reload-settings", "click", () => act(loadSettings));
  on("add-rules", "click", () => act(async () => { await api("rules", "POST", parsed("new-rules")); await loadSettings(); }));
  on("clear-rules", "click", () => act(async () => { await api("rules", "DELETE"); await loadSettings(); }));
  on("reset", "click", () => {
    if (confirm("Forget every resource, work request, policy, clock offset, journal entry and fault?")) {
      view.selected = view.entry = null;
      act(() => api("reset", "POST", {}));
    }
  });
  document.getElementById("live").addEventListener("change", schedule);
  document.addEventListener("visibilitychange", schedule);
}

async function start() {
  wire();
  try {
    const health = await api("health");
    document.getElementById("health").textContent =
      `${health.version} · auth ${health.auth} · ${health.region} · ${health.durable ? "durable" : "in memory"}`;
  } catch (err) {
    showError(err);
  }
  await refresh();
  schedule();
}

start();
