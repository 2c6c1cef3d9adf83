// Overview page: polls /api/system and keeps ten minutes of request rate and heap on a uPlot chart.
(function () {
    "use strict";
    const chartEl = document.getElementById("load-chart");
    if (!chartEl || typeof uPlot === "undefined") {
        return;
    }
    const source = chartEl.dataset.source;
    const keepSeconds = 600;
    const times = [], rates = [], heaps = [];
    let last = null;

    const plot = new uPlot({
        width: chartEl.clientWidth - 24,
        height: 300,
        scales: {
            rate: { range: (u, min, max) => [0, Math.max(1, max * 1.2)] },
            mib: { range: (u, min, max) => [0, Math.max(1, max * 1.2)] }
        },
        series: [
            {},
            { label: "requests/s", stroke: "#c8102e", width: 2, scale: "rate" },
            { label: "heap MiB", stroke: "#1d2330", width: 2, scale: "mib" }
        ],
        axes: [
            {},
            { scale: "rate", label: "requests/s" },
            { scale: "mib", side: 1, label: "heap MiB", grid: { show: false } }
        ]
    }, [times, rates, heaps], chartEl);

    function text(id, value) {
        const el = document.getElementById(id);
        if (el) {
            el.textContent = value;
        }
    }

    async function poll() {
        try {
            const response = await fetch(source, { cache: "no-store" });
            const s = await response.json();
            const now = Date.now() / 1000;
            if (last !== null) {
                times.push(now);
                rates.push(Math.max(0, (s.requestsServed - last.requests) / (now - last.time)));
                heaps.push(s.heapUsedBytes / 1048576);
                while (times.length && times[0] < now - keepSeconds) {
                    times.shift(); rates.shift(); heaps.shift();
                }
                plot.setData([times, rates, heaps]);
            }
            last = { time: now, requests: s.requestsServed };
            text("storage-state", s.storageUp ? "answering" : "not answering");
            text("uptime", s.uptimeSeconds + " s");
            text("requests", String(s.requestsServed));
            text("rss", Math.round(s.residentBytes / 1048576) + " MiB");
            text("heap", String(Math.round(s.heapUsedBytes / 1048576)));
        } catch (e) {
            text("storage-state", "Pitwall is not answering");
        }
    }

    // The minutes before the page opened, as the server sampled them; then the page's own polls.
    async function backfill() {
        try {
            const response = await fetch(source + "/history", { cache: "no-store" });
            const samples = await response.json();
            for (let i = 1; i < samples.length; i++) {
                const dt = (samples[i].epochMillis - samples[i - 1].epochMillis) / 1000;
                times.push(samples[i].epochMillis / 1000);
                rates.push(dt > 0 ? Math.max(0, (samples[i].requestsServed - samples[i - 1].requestsServed) / dt) : 0);
                heaps.push(samples[i].heapUsedBytes / 1048576);
            }
            plot.setData([times, rates, heaps]);
        } catch (e) {
            // the polls fill the chart from now on
        }
    }

    window.addEventListener("resize", () => plot.setSize({ width: chartEl.clientWidth - 24, height: 300 }));
    backfill().then(() => {
        poll();
        setInterval(poll, 2000);
    });
})();

// Serving page: polls /api/serving; fills the backend table and charts rates per model and backend.
(function () {
    "use strict";
    const root = document.getElementById("serving");
    if (!root || typeof uPlot === "undefined") {
        return;
    }
    const keepSeconds = 600;
    const palette = ["#c8102e", "#1d2330", "#1b7f4c", "#d98e04", "#3461c1", "#8e44ad"];

    // A chart whose series are named by keys that may appear over time.
    function liveChart(el, unit) {
        const times = [];
        const values = new Map();
        let plot = null;
        let names = [];
        function rebuild() {
            if (plot) {
                plot.destroy();
            }
            const data = [times, ...names.map(n => values.get(n))];
            plot = new uPlot({
                width: el.clientWidth - 24,
                height: 220,
                scales: { y: { range: (u, min, max) => [0, Math.max(unit === "s" ? 0.1 : 1, max * 1.2)] } },
                series: [{}, ...names.map((n, i) => ({ label: n, stroke: palette[i % palette.length], width: 2 }))],
                axes: [{}, { label: unit }]
            }, data, el);
        }
        return {
            add(time, point) {
                for (const name of Object.keys(point)) {
                    if (!values.has(name)) {
                        values.set(name, times.map(() => null));
                    }
                }
                times.push(time);
                for (const [name, series] of values) {
                    series.push(name in point ? point[name] : null);
                }
                while (times.length && times[0] < time - keepSeconds) {
                    times.shift();
                    for (const series of values.values()) {
                        series.shift();
                    }
                }
                const current = [...values.keys()];
                if (!plot || current.length !== names.length) {
                    names = current;
                    rebuild();
                } else {
                    plot.setData([times, ...names.map(n => values.get(n))]);
                }
            }
        };
    }

    const rates = liveChart(document.getElementById("rate-chart"), "req/s");
    const ttft = liveChart(document.getElementById("ttft-chart"), "s");
    const errors = liveChart(document.getElementById("error-chart"), "err/s");
    let last = null;

    function cell(row, text, className) {
        const td = row.insertCell();
        td.textContent = text;
        if (className) {
            td.className = className;
        }
    }

    function fillBackends(backends) {
        const body = document.querySelector("#backends tbody");
        body.replaceChildren();
        for (const b of backends) {
            const row = body.insertRow();
            row.dataset.backend = b.name;
            cell(row, b.name);
            cell(row, b.kind);
            cell(row, !b.healthy ? "down" : b.available ? "up" : "ejected", b.healthy && b.available ? "health-up" : "health-down");
            cell(row, b.inFlight + " / " + b.limit + (b.limitAlgorithm === "fixed" ? "" : " (" + b.limitAlgorithm + ")"));
            cell(row, String(b.queued));
            // Answered 503: every reason but a client that left while it waited.
            cell(row, String(Object.entries(b.shed).filter(([why]) => why !== "client_left")
                .reduce((sum, [, n]) => sum + n, 0)));
            cell(row, b.engine ? String(b.engine.waiting) : "–");
            cell(row, b.engine ? String(b.engine.running) : "–");
            cell(row, b.engine ? Math.round(b.engine.kvUsage * 100) + " %" : "–");
            const states = b.breakers.filter(q => q.state !== "closed");
            cell(row, states.length === 0 ? "closed" : states.map(q => q.model + ": " + q.state).join(", "),
                states.length === 0 ? "health-up" : "health-down");
        }
        document.getElementById("backends").hidden = backends.length === 0;
        document.getElementById("no-backends").hidden = backends.length !== 0;
    }

    function evidenceText(e) {
        const parts = [e.bad + " bad, " + e.failed + " failed of " + e.samples];
        if (e.charEntropy !== undefined) {
            parts.push(e.charEntropy + " bits/char");
        }
        if (e.tokenEntropy !== undefined) {
            parts.push("token entropy " + e.tokenEntropy);
        }
        if (e.lastFault) {
            parts.push("last: " + e.lastFault);
        }
        return parts.join(", ");
    }

    function fillBreakerEvents(events) {
        const body = document.querySelector("#breaker-events tbody");
        body.replaceChildren();
        for (const m of events) {
            const row = body.insertRow();
            cell(row, new Date(m.at).toLocaleTimeString());
            cell(row, m.backend);
            cell(row, m.model);
            cell(row, m.from + " → " + m.to, m.to === "closed" ? "health-up" : "health-down");
            cell(row, m.why);
            cell(row, evidenceText(m.evidence));
        }
        document.getElementById("breaker-events").hidden = events.length === 0;
        document.getElementById("no-breaker-events").hidden = events.length !== 0;
    }

    function fillSlowRequests(slow) {
        const body = document.querySelector("#slow-requests tbody");
        body.replaceChildren();
        for (const r of slow) {
            const row = body.insertRow();
            cell(row, new Date(r.at).toLocaleTimeString());
            cell(row, r.model);
            cell(row, r.tenant);
            cell(row, r.gateway_ms.toFixed(0) + " ms");
            cell(row, r.backend + " " + r.backend_ms.toFixed(0) + " ms");
            cell(row, r.causes.map(c => c.cause.replaceAll("_", " ") + " " + c.ms.toFixed(0) + " ms (" + c.detail + ")")
                .join("; ") || "–");
            cell(row, r.unattributed_ms.toFixed(0) + " ms");
        }
        document.getElementById("slow-requests").hidden = slow.length === 0;
        document.getElementById("no-slow-requests").hidden = slow.length !== 0;
    }

    async function poll() {
        try {
            const response = await fetch(root.dataset.source, { cache: "no-store" });
            const s = await response.json();
            fillBackends(s.backends);
            fillBreakerEvents(s.breakerEvents);
            fillSlowRequests(s.slowRequests);
            const now = Date.now() / 1000;
            if (last !== null) {
                const dt = now - last.time;
                const rate = {}, firstToken = {}, errorRate = {};
                // Requests for no served model ("unknown") and answered by no backend ("none") are counted
                // in the totals, not drawn as series of their own.
                for (const [model, t] of Object.entries(s.models)) {
                    if (model === "unknown") {
                        continue;
                    }
                    const before = last.models[model] || { requests: 0 };
                    rate[model] = (t.requests - before.requests) / dt;
                    firstToken[model + " p50"] = t.firstTokenP50Seconds;
                    firstToken[model + " p99"] = t.firstTokenP99Seconds;
                }
                for (const [backend, t] of Object.entries(s.backendTotals)) {
                    if (backend === "none") {
                        continue;
                    }
                    const before = last.backendTotals[backend] || { errors: 0 };
                    errorRate[backend] = (t.errors - before.errors) / dt;
                }
                rates.add(now, rate);
                ttft.add(now, firstToken);
                errors.add(now, errorRate);
            }
            last = { time: now, models: s.models, backendTotals: s.backendTotals };
        } catch (e) {
            // the next poll tries again
        }
    }

    poll();
    setInterval(poll, 2000);
})();

// Serving page: the objectives at /api/slo, their budget, burn rates and alert state.
(function () {
    "use strict";
    const root = document.getElementById("objectives");
    if (!root) {
        return;
    }
    const shownWindows = ["5m", "1h", "6h", "1d", "3d"];

    function cell(row, text, className) {
        const td = row.insertCell();
        td.textContent = text;
        if (className) {
            td.className = className;
        }
    }

    function fill(objectives) {
        const body = document.querySelector("#slo-table tbody");
        body.replaceChildren();
        for (const o of objectives) {
            const row = body.insertRow();
            row.dataset.slo = o.name;
            cell(row, o.name);
            cell(row, o.description);
            cell(row, o.state.replace("_", " "), o.state === "ok" ? "health-up" : o.state === "no_data" ? "" : "health-down");
            cell(row, o.budget_remaining === null ? "–" : (o.budget_remaining * 100).toFixed(1) + " %",
                o.budget_remaining !== null && o.budget_remaining < 0 ? "health-down" : "");
            for (const w of shownWindows) {
                const b = o.burn_rates.find(r => r.window === w);
                cell(row, !b || b.burn_rate === null ? "–" : b.burn_rate.toFixed(2));
            }
            cell(row, o.firing.join("; "));
        }
        document.getElementById("slo-table").hidden = objectives.length === 0;
        document.getElementById("no-slos").hidden = objectives.length !== 0;
    }

    async function poll() {
        try {
            const response = await fetch(root.dataset.source, { cache: "no-store" });
            fill((await response.json()).objectives);
        } catch (e) {
            // the next poll tries again
        }
    }

    poll();
    setInterval(poll, 5000);
})();

// An incident's page: its buttons move it forward through the same audited API as any client.
(function () {
    const root = document.getElementById("incident-actions");
    if (!root) {
        return;
    }
    const result = document.getElementById("action-result");
    root.querySelectorAll("button[data-action]").forEach(button => button.addEventListener("click", async () => {
        root.querySelectorAll("button").forEach(b => b.disabled = true);
        result.textContent = "…";
        try {
            const response = await fetch("/api/incidents/" + root.dataset.incident + "/" + button.dataset.action, {
                method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ by: "console" })
            });
            if (response.ok) {
                window.location.reload();
                return;
            }
            const body = await response.json().catch(() => ({}));
            result.textContent = (body.error && body.error.message) || ("the server answered " + response.status);
        } catch (e) {
            result.textContent = "the server cannot be reached: " + e.message;
        }
        root.querySelectorAll("button").forEach(b => b.disabled = false);
    }));
})();

// Prompts: versions, labels, rollout, figures per version, history, and a diff of two versions.
(function () {
    const root = document.getElementById("prompts");
    if (!root) {
        return;
    }
    const chosen = {}; // prompt → [from, to] versions of its diff, kept across refreshes

    function el(tag, text, className) {
        const e = document.createElement(tag);
        if (text !== undefined) {
            e.textContent = text;
        }
        if (className) {
            e.className = className;
        }
        return e;
    }

    function table(id, headers, rows) {
        const t = el("table", undefined, "grid");
        t.id = id;
        const head = t.createTHead().insertRow();
        headers.forEach(h => head.appendChild(el("th", h)));
        const body = t.createTBody();
        rows.forEach(cells => {
            const row = body.insertRow();
            cells.forEach(c => row.insertCell().textContent = c);
        });
        return t;
    }

    function lines(version) {
        return version.messages.map(m => m.role + ": " + m.content);
    }

    /** A line diff (longest common subsequence): each line kept, removed (-) or added (+). */
    function diff(from, to) {
        const n = from.length, m = to.length;
        const lcs = Array.from({length: n + 1}, () => new Array(m + 1).fill(0));
        for (let i = n - 1; i >= 0; i--) {
            for (let j = m - 1; j >= 0; j--) {
                lcs[i][j] = from[i] === to[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        const out = [];
        let i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && from[i] === to[j]) {
                out.push(["  ", from[i++]]);
                j++;
            } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                out.push(["- ", from[i++]]); // what went, before what came in its place
            } else {
                out.push(["+ ", to[j++]]);
            }
        }
        return out;
    }

    function seconds(value) {
        return value === null || value === undefined ? "–" : (Math.round(value * 1000) + " ms");
    }

    function render(p) {
        const section = el("section", undefined, "prompt");
        section.dataset.prompt = p.name;
        section.appendChild(el("h2", p.name));
        const labels = Object.entries(p.labels).map(([label, v]) => label + " → " + v).join(", ") || "none";
        section.appendChild(el("p", "Labels: " + labels));
        const split = p.rollout ? Object.entries(p.rollout.split).map(([l, w]) => l + " " + w + " %").join(", ")
            + " (sticky per " + p.rollout.stickiness + ")" : "no rollout: requests naming no label get production";
        section.appendChild(el("p", "Rollout: " + split));
        const byLabel = {};
        Object.entries(p.labels).forEach(([label, v]) => (byLabel[v] = byLabel[v] || []).push(label));
        section.appendChild(table("versions-" + p.name, ["Version", "Labels", "Requests", "Errors", "TTFT p50", "TTFT p99"],
            p.versions.map(v => {
                const f = v.figures;
                return [String(v.version), (byLabel[v.version] || []).join(", "), f ? String(f.requests) : "0",
                    f ? String(f.errors) : "0", seconds(f && f.firstTokenP50Seconds), seconds(f && f.firstTokenP99Seconds)];
            })));
        if (p.versions.length > 1) {
            const pick = chosen[p.name] || [p.versions.length - 1, p.versions.length];
            const form = el("p", "Changes from version ");
            const selects = pick.map(selected => {
                const s = el("select");
                p.versions.forEach(v => {
                    const o = el("option", String(v.version));
                    o.value = v.version;
                    o.selected = v.version === selected;
                    s.appendChild(o);
                });
                return s;
            });
            form.appendChild(selects[0]);
            form.appendChild(document.createTextNode(" to "));
            form.appendChild(selects[1]);
            section.appendChild(form);
            const pre = el("pre", undefined, "diff");
            pre.id = "diff-" + p.name;
            const show = () => {
                chosen[p.name] = selects.map(s => Number(s.value));
                const [a, b] = chosen[p.name].map(n => p.versions.find(v => v.version === n));
                pre.replaceChildren(...diff(lines(a), lines(b)).map(([mark, text]) =>
                    el("div", mark + text, mark === "+ " ? "added" : mark === "- " ? "removed" : "")));
            };
            selects.forEach(s => s.addEventListener("change", show));
            show();
            section.appendChild(pre);
        }
        section.appendChild(el("h3", "Label moves"));
        section.appendChild(table("history-" + p.name, ["When", "Label", "Version", "From", "Why", "Who"],
            p.history.map(m => [new Date(m.at).toLocaleString(), m.label, String(m.version),
                m.previous === null ? "–" : String(m.previous), m.reason, m.actor])));
        return section;
    }

    async function poll() {
        try {
            const response = await fetch(root.dataset.source, { cache: "no-store" });
            const s = await response.json();
            document.getElementById("prompt-list").replaceChildren(...s.prompts.map(render));
            document.getElementById("no-prompts").hidden = s.prompts.length !== 0;
            const body = document.querySelector("#prompt-files tbody");
            body.replaceChildren();
            for (const f of s.files) {
                const row = body.insertRow();
                [f.file, f.prompt, f.applied ? "applied" : "refused", f.problem].forEach(t => row.insertCell().textContent = t);
            }
            document.getElementById("prompt-files").hidden = s.files.length === 0;
            document.getElementById("no-prompt-files").hidden = s.files.length !== 0;
        } catch (e) {
            // the next poll tries again
        }
    }

    poll();
    setInterval(poll, 2000);
})();

