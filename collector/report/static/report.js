// The report's script: reads the JSON data block and draws every section. Values come from AWS and are
// untrusted: they are only ever written with textContent or as attribute values (never innerHTML), and the
// page's Content-Security-Policy allows no other script and no network.
"use strict";
(function () {
  const started = performance.now();
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const names = data.names || {};
  const SVG = "http://www.w3.org/2000/svg";
  const PAGE = 50;

  // --- small DOM helpers ---------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined && value !== false) node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }
  const plural = (n, word) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
  const accountLabel = (id) => (names[id] ? `${id} (${names[id]})` : id);

  function section(id, title, intro) {
    const node = el("section", { id }, el("h2", {}, title));
    if (intro) node.append(el("p", { class: "note" }, intro));
    document.getElementById("report").append(node);
    document.getElementById("toc").append(el("a", { href: `#${id}` }, title));
    return node;
  }
  function absent(parent, reason) {
    parent.append(el("p", { class: "absent" }, `Not in this inventory: ${reason}.`));
  }

  // --- cells by column type --------------------------------------------------------------------------------
  function text(value, type) {
    if (value === null || value === undefined || value === "") return "—";
    if (type === "flag") return value ? "yes" : "no";
    if (type === "date") return String(value).replace("T", " ").slice(0, 19);
    if (type === "list" || type === "flags") return value.join(", ");
    if (type === "number") return Number(value).toLocaleString("en");
    return String(value);
  }
  function cell(value, type) {
    const td = el("td", {});
    if (type === "number") td.className = value ? "num" : "num zero";
    if (type === "list" && value && value.length > 8) {
      td.append(value.slice(0, 8).join(", "), el("span", { class: "more" }, ` … +${value.length - 8}`));
      td.title = value.join(", ");
    } else if (type === "flags" && value && value.length) {
      for (const flag of value) td.append(el("span", { class: `badge flag-${flag}` }, flag.replaceAll("_", " ")));
    } else {
      td.textContent = text(value, type);
    }
    return td;
  }
  function compare(a, b) {
    const none = (v) => v === null || v === undefined || v === "";
    if (none(a) || none(b)) return none(a) - none(b);
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(Array.isArray(a) ? a.length : a).localeCompare(String(Array.isArray(b) ? b.length : b), "en", { numeric: true });
  }

  // --- a sortable, filterable, paged table ----------------------------------------------------------------
  // spec: {columns: [{label, type}], rows: [[...]]}; options.selects: column indexes filtered by a <select>.
  function table(parent, spec, options) {
    const opts = options || {};
    const rows = spec.rows;
    const haystack = rows.map((row) => row.map((v, i) => text(v, spec.columns[i].type)).join(" ").toLowerCase());
    const state = { query: "", selects: {}, sort: opts.sort === undefined ? null : opts.sort, desc: !!opts.desc, page: 0 };
    const controls = el("div", { class: "controls" });
    const search = el("input", { type: "search", placeholder: "filter…", "aria-label": "filter rows" });
    search.addEventListener("input", () => { state.query = search.value.toLowerCase(); state.page = 0; draw(); });
    controls.append(search);
    for (const index of opts.selects || []) {
      const values = [...new Set(rows.map((r) => r[index]).filter((v) => v !== null && v !== undefined))].sort(compare);
      const select = el("select", { "aria-label": spec.columns[index].label, "data-column": spec.columns[index].label },
        el("option", { value: "" }, `every ${spec.columns[index].label}`));
      for (const value of values.slice(0, 2000)) select.append(el("option", { value }, index === opts.accountColumn ? accountLabel(value) : value));
      select.addEventListener("change", () => { state.selects[index] = select.value; state.page = 0; draw(); });
      controls.append(select);
    }
    const count = el("span", { class: "muted count" });
    const pager = el("span", { class: "pager" });
    controls.append(count, pager);
    const head = el("tr", {});
    const body = el("tbody", {});
    spec.columns.forEach((column, index) => {
      const th = el("th", { scope: "col", tabindex: 0, title: "sort" }, column.label);
      th.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); th.click(); } });
      th.addEventListener("click", () => {
        state.desc = state.sort === index ? !state.desc : column.type === "number";
        state.sort = index;
        draw();
      });
      head.append(th);
    });
    parent.append(controls, el("div", { class: "scroll" }, el("table", { class: "data" }, el("thead", {}, head), body)));

    function draw() {
      let shown = [];
      for (let i = 0; i < rows.length; i++) {
        if (state.query && !haystack[i].includes(state.query)) continue;
        let keep = true;
        for (const [index, value] of Object.entries(state.selects)) if (value && String(rows[i][index]) !== value) keep = false;
        if (keep) shown.push(i);
      }
      if (state.sort !== null) {
        const s = state.sort;
        shown.sort((a, b) => compare(rows[a][s], rows[b][s]) * (state.desc ? -1 : 1) || a - b);
      }
      [...head.children].forEach((th, i) => { th.className = i === state.sort ? (state.desc ? "sorted-desc" : "sorted-asc") : ""; });
      const pages = Math.max(1, Math.ceil(shown.length / PAGE));
      state.page = Math.min(state.page, pages - 1);
      const first = state.page * PAGE;
      body.replaceChildren(...shown.slice(first, first + PAGE).map((i) => {
        const tr = el("tr", {});
        rows[i].forEach((value, c) => tr.append(cell(value, spec.columns[c].type)));
        return tr;
      }));
      count.textContent = shown.length === rows.length ? plural(rows.length, "row") : `${shown.length.toLocaleString("en")} of ${plural(rows.length, "row")}`;
      pagerButtons(pager, state, pages, draw);
    }
    draw();
  }
  function pagerButtons(pager, state, pages, draw) {
    pager.replaceChildren();
    if (pages <= 1) return;
    const go = (label, page, disabled) => {
      const button = el("button", { type: "button", disabled }, label);
      button.addEventListener("click", () => { state.page = page; draw(); });
      pager.append(button);
    };
    go("‹ previous", state.page - 1, state.page === 0);
    pager.append(` page ${state.page + 1} of ${pages} `);
    go("next ›", state.page + 1, state.page >= pages - 1);
  }

  // --- the run ------------------------------------------------------------------------------------------------
  function runSection() {
    const run = data.run;
    const node = section("run", "The run");
    if (!run.run_id) { absent(node, "no collector run is recorded"); return; }
    const facts = el("dl", { class: "facts" });
    const fact = (label, value) => facts.append(el("dt", {}, label), el("dd", {}, value));
    fact("latest run", `${run.run_id} (${plural(run.run_count, "run")} in this database)`);
    fact("started / finished", `${text(run.started_at, "date")} / ${text(run.finished_at, "date")} UTC`);
    fact("complete", run.complete === null ? "—" : run.complete ? "yes: every scope complete or skipped" : "no: see the status grid");
    fact("mode", run.organization === null ? "—" : run.organization ? "organization" : "listed accounts");
    fact("accounts", `${run.accounts.length.toLocaleString("en")}: ${run.accounts.slice(0, 12).map(accountLabel).join(", ")}${run.accounts.length > 12 ? ", …" : ""}`);
    fact("regions", run.regions.join(", ") || "—");
    fact("fetchers", run.services.join(", ") || "—");
    fact("scopes", Object.entries(run.status_counts).map(([s, n]) => `${n} ${s}`).join(", ") || "—");
    fact("CloudTrail source", cloudtrailSource(run));
    node.append(facts);
  }
  function cloudtrailSource(run) {
    const scopes = run.cloudtrail;
    const asked = run.requested_source ? `--cloudtrail-source ${run.requested_source}; ` : "";
    if (!scopes.length) return `${asked}not collected`;
    const s3 = scopes.filter((c) => c[2] === "s3");
    const where = [...new Set(s3.map((c) => c[3]))];
    const parts = [];
    if (s3.length) parts.push(`the trail's log files in ${where.join("; ")}: ${s3.length} of ${plural(scopes.length, "account-region")}`);
    if (s3.length < scopes.length) parts.push(`LookupEvents in ${s3.length ? scopes.length - s3.length : "all " + scopes.length}${s3.length ? "" : " account-regions"}`);
    return asked + parts.join("; ");
  }

  // --- the status grid --------------------------------------------------------------------------------------
  function gridSection() {
    const grid = data.grid;
    const node = section("status", "Status per account and service",
      "Each cell is the worst status among the service's regions; cells that are not complete show each problem and the IAM actions the role lacks.");
    if (!grid.accounts.length) { absent(node, "no scope was collected"); return; }
    const uncollected = new Set(grid.uncollected);
    const worst = (account) => uncollected.has(account) || Object.values(grid.cells[account] || {}).some((c) => c[0] !== "complete" && c[0] !== "skipped");
    const controls = el("div", { class: "controls" });
    const search = el("input", { type: "search", placeholder: "account ID or name…", "aria-label": "filter accounts" });
    const onlyProblems = el("input", { type: "checkbox", id: "only-problems" });
    const count = el("span", { class: "muted count" });
    const pager = el("span", { class: "pager" });
    controls.append(search, el("label", {}, onlyProblems, " only accounts with problems"), count, pager);
    const legend = el("div", { class: "legend" });
    for (const s of ["complete", "partial", "denied", "failed", "skipped"]) legend.append(el("span", { class: `badge status-${s}` }, s));
    const head = el("tr", {}, el("th", { scope: "col" }, "account"), ...grid.services.map((s) => el("th", { scope: "col" }, s)));
    const body = el("tbody", {});
    node.append(legend, controls, el("div", { class: "scroll" }, el("table", { class: "grid", id: "status-grid" }, el("thead", {}, head), body)));
    const state = { page: 0 };
    function draw() {
      const query = search.value.toLowerCase();
      const shown = grid.accounts.filter((a) => (!onlyProblems.checked || worst(a)) && (!query || accountLabel(a).toLowerCase().includes(query)));
      const pages = Math.max(1, Math.ceil(shown.length / PAGE));
      state.page = Math.min(state.page, pages - 1);
      body.replaceChildren(...shown.slice(state.page * PAGE, state.page * PAGE + PAGE).map(gridRow));
      count.textContent = `${shown.length.toLocaleString("en")} of ${plural(grid.accounts.length, "account")}`;
      pagerButtons(pager, state, pages, draw);
    }
    function gridRow(account) {
      const tr = el("tr", { "data-account": account }, el("th", { scope: "row" }, accountLabel(account)));
      if (uncollected.has(account)) {
        tr.className = "uncollected";
        tr.append(el("td", { class: "cell none", colspan: grid.services.length, "data-status": "uncollected" },
          "in the organization, never collected (not in the run's accounts: an excluded OU, a suspended account, or no role)"));
        return tr;
      }
      for (const service of grid.services) {
        const c = (grid.cells[account] || {})[service];
        if (!c) { tr.append(el("td", { class: "cell none", "data-service": service, "data-status": "none", title: "not collected in this account" }, "—")); continue; }
        const [status, regions, problems] = c;
        const td = el("td", { class: `cell status-${status}`, "data-service": service, "data-status": status },
          el("span", { class: `badge status-${status}` }, status));
        const counted = Object.entries(regions);
        if (counted.length > 1 || (counted[0] && counted[0][1] > 1)) td.append(" ", el("span", { class: "muted" }, counted.map(([s, n]) => `${n} ${s}`).join(", ")));
        if (problems.length) {
          const list = el("ul", {});
          for (const [region, pstatus, detail, missing] of problems.slice(0, 6)) {
            const item = el("li", { "data-region": region }, `${region}: ${pstatus}${detail ? " — " + (detail.length > 300 ? detail.slice(0, 300) + "…" : detail) : ""}`);
            if (detail.length > 300) item.title = detail;
            if (missing.length) item.append(el("div", { class: "missing" }, `missing: ${missing.join(", ")}`));
            list.append(item);
          }
          if (problems.length > 6) list.append(el("li", { class: "muted" }, `… ${problems.length - 6} more regions`));
          td.append(list);
        }
        tr.append(td);
      }
      return tr;
    }
    search.addEventListener("input", () => { state.page = 0; draw(); });
    onlyProblems.addEventListener("change", () => { state.page = 0; draw(); });
    draw();
  }

  // --- the trust graph ---------------------------------------------------------------------------------------
  const FLAG_TEXT = {
    external_without_external_id: "external account, no ExternalId required",
    wildcard: "wildcard principal",
    federated: "federated provider",
  };
  const MAX_EDGES = 200;
  // What to draw first when not everything fits: the riskiest trusts.
  const RANK = { external_without_external_id: 8, wildcard: 4, federated: 1 };
  const rank = (e) => e.flags.reduce((n, f) => n + (RANK[f] || 0), 0) + (e.external ? 0.5 : 0);
  function trustSection() {
    const trust = data.trust;
    const node = section("trust", "Who can reach what",
      "Parties on the left may assume roles in the accounts on the right: one line per party, account and kind of trust (hover a line for its roles). AWS services and trusts inside one account are counted, not drawn.");
    if (!trust.available) { absent(node, trust.reason); return; }
    const nodes = new Map(trust.nodes.map(([id, label, kind]) => [id, { id, label, kind }]));
    const edges = trust.edges.map(([source, target, flags, external, roles]) => ({ source, target, flags, external, roles }));
    node.append(el("p", { class: "note" },
      `${plural(edges.reduce((n, e) => n + e.roles.length, 0), "trust")} drawn across ${plural(edges.length, "line")}; ` +
      `${plural(trust.service_principals, "trust")} of AWS services and ${plural(trust.same_account, "trust")} inside the role's own account not drawn.`));
    const legend = el("div", { class: "legend" },
      el("span", { class: "l-alert" }, FLAG_TEXT.external_without_external_id), el("span", { class: "l-wildcard" }, FLAG_TEXT.wildcard),
      el("span", { class: "l-federated" }, FLAG_TEXT.federated), el("span", { class: "l-external" }, "external account with ExternalId"),
      el("span", { class: "l-internal" }, "another account of the organization"));
    const controls = el("div", { class: "controls" });
    const show = el("select", { "aria-label": "which trusts to draw" },
      el("option", { value: "all" }, "every trust across accounts"), el("option", { value: "flagged" }, "only trusts worth a look"),
      el("option", { value: "external" }, "external, wildcard and federated only"));
    const flagged = edges.filter((e) => e.flags.length).length;
    if (edges.length > MAX_EDGES) show.value = flagged ? "flagged" : "external";
    const search = el("input", { type: "search", placeholder: "account, party or role…", "aria-label": "filter the graph" });
    const count = el("span", { class: "muted count" });
    controls.append(show, search, count);
    const holder = el("div", { class: "scroll" });
    node.append(legend, controls, holder);
    function draw() {
      const query = search.value.toLowerCase();
      let chosen = edges.filter((e) => show.value === "all" || e.flags.length || (show.value === "external" && e.external));
      if (query) chosen = chosen.filter((e) => [nodes.get(e.source).label, nodes.get(e.target).label, e.source, e.target, ...e.roles].some((t) => t.toLowerCase().includes(query)));
      chosen.sort((a, b) => rank(b) - rank(a));
      const drawn = chosen.slice(0, MAX_EDGES);
      count.textContent = `${plural(drawn.length, "line")}${chosen.length > drawn.length ? ` of ${chosen.length.toLocaleString("en")} (filter to see the rest)` : ""}`;
      holder.replaceChildren(graph(drawn, nodes));
    }
    show.addEventListener("change", draw);
    search.addEventListener("input", draw);
    draw();
    node.append(el("h3", {}, "Every trust across accounts, or worth a look"));
    table(node, trust.table, { selects: [0, 2], accountColumn: 0, sort: 7, desc: true });
  }
  const KIND_ORDER = { anyone: 0, external: 1, federated: 2, unknown: 3, account: 4 };
  function graph(edges, nodes) {
    const row = 24, width = 980, boxWidth = 300, top = 34;
    const left = [...new Set(edges.map((e) => e.source))]
      .sort((a, b) => KIND_ORDER[nodes.get(a).kind] - KIND_ORDER[nodes.get(b).kind] || nodes.get(a).label.localeCompare(nodes.get(b).label));
    const leftAt = new Map(left.map((id, i) => [id, i]));
    const targets = new Map();
    for (const e of edges) { const t = targets.get(e.target) || []; t.push(leftAt.get(e.source)); targets.set(e.target, t); }
    // Right column ordered by the mean row of its parties: fewer crossings, no iteration needed.
    const right = [...targets.keys()].sort((a, b) => mean(targets.get(a)) - mean(targets.get(b)) || a.localeCompare(b));
    const rightAt = new Map(right.map((id, i) => [id, i]));
    const height = top + Math.max(left.length, right.length, 1) * row + 10;
    const root = svg("svg", { class: "trust", id: "trust-graph", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": "trust graph" });
    root.append(svg("text", { x: 10, y: 18, class: "col-title" }, "who may assume"), svg("text", { x: width - boxWidth - 10, y: 18, class: "col-title" }, "roles in account"));
    const y = (i) => top + i * row + row / 2 - 2;
    const lines = svg("g", { class: "edges" });
    for (const e of edges) {
      const y1 = y(leftAt.get(e.source)), y2 = y(rightAt.get(e.target)), x1 = 10 + boxWidth, x2 = width - boxWidth - 10;
      const classes = ["edge", e.external ? "external" : "internal", ...e.flags.map((f) => `flag-${f}`)];
      const path = svg("path", {
        d: `M${x1},${y1} C${(x1 + x2) / 2},${y1} ${(x1 + x2) / 2},${y2} ${x2},${y2}`,
        class: classes.join(" "), "stroke-width": Math.min(1.5 + Math.log2(e.roles.length), 7).toFixed(1),
        "data-source": e.source, "data-target": e.target, "data-flags": e.flags.join(" "), "data-roles": e.roles.length,
      });
      const flags = e.flags.map((f) => FLAG_TEXT[f]).join("; ");
      path.append(svg("title", {}, `${nodes.get(e.source).label} → ${nodes.get(e.target).label}${flags ? " (" + flags + ")" : ""}: ` +
        `${plural(e.roles.length, "role")}: ${e.roles.slice(0, 20).join(", ")}${e.roles.length > 20 ? ", …" : ""}`));
      lines.append(path);
    }
    root.append(lines);
    const box = (id, i, x, side) => {
      const n = nodes.get(id);
      const label = n.label.length > 44 ? n.label.slice(0, 43) + "…" : n.label;
      return svg("g", { class: `node kind-${n.kind} side-${side}`, "data-node-id": id, "data-kind": n.kind, transform: `translate(${x},${top + i * row})` },
        svg("rect", { width: boxWidth, height: row - 6 }), svg("text", { x: 6, y: row / 2 + 2 }, label), svg("title", {}, n.label));
    };
    left.forEach((id, i) => root.append(box(id, i, 10, "party")));
    right.forEach((id, i) => root.append(box(id, i, width - boxWidth - 10, "account")));
    return root;
  }
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;

  // --- the tables -------------------------------------------------------------------------------------------
  function tableSection(id, title, intro, spec, options, extra) {
    const node = section(id, title, intro);
    if (!spec.available) { absent(node, spec.reason); return; }
    if (extra) node.append(el("p", { class: "note" }, extra));
    if (!spec.rows.length) { node.append(el("p", { class: "muted" }, "None.")); return; }
    table(node, spec, options);
  }

  document.getElementById("meta").textContent =
    `From ${data.meta.generated_from || "the collector's database"}; ages counted to ${text(data.meta.as_of, "date")} UTC (the latest run's end).`;
  runSection();
  gridSection();
  tableSection("identity", "Identities per account", "What each account holds; Identity Center columns count what targets the account.", data.identity, { selects: [], sort: 0 });
  trustSection();
  tableSection("people", "People → permission sets and entitlements → accounts",
    "Identity Center account assignments and Account Access Manager entitlements, per user or group (filtering finds a person inside the groups too).",
    data.people, { selects: [3] });
  tableSection("keys", "Access keys by age and last use", "Only the last four characters of each key ID are shown; the report never holds a secret.",
    data.keys, { selects: [0, 3], accountColumn: 0, sort: 5, desc: true });
  tableSection("mfa", "Users without MFA", "IAM users whose credential report says MFA is not active, and root users without MFA.", data.no_mfa, { selects: [0], accountColumn: 0 });
  tableSection("shared", "Public and externally shared snapshots and AMIs", null, data.shared, { selects: [0, 2], accountColumn: 0 },
    data.shared.available ? `${plural(data.shared.inside_organization || 0, "share")} with accounts of the organization not listed.` : null);
  tableSection("events", "Latest CloudTrail management events", null, data.events, { selects: [1, 3], accountColumn: 1, sort: 0, desc: true },
    data.events.available ? `The latest ${data.events.rows.length.toLocaleString("en")} of ${plural(data.events.total, "event")} stored.` : null);
  document.documentElement.setAttribute("data-rendered-ms", (performance.now() - started).toFixed(0));
})();
