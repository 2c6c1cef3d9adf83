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

    window.addEventListener("resize", () => plot.setSize({ width: chartEl.clientWidth - 24, height: 300 }));
    poll();
    setInterval(poll, 2000);
})();
