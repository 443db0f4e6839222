// Chart builders shared by the dashboard page and the self-contained HTML report, so both draw the same charts.
import {
  BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement,
  LogarithmicScale, PointElement, RadarController, RadialLinearScale, ScatterController, Title, Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale,
  PointElement, RadarController, RadialLinearScale, ScatterController, Title, Tooltip);

// Okabe–Ito palette: distinguishable with colour-vision deficiencies, readable on white.
export const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8B6A00', '#6A3D9A', '#B15928'];
export const colour = (i) => palette[i % palette.length];

const base = {
  animation: false, // render at once: printable reports, and charts that are complete when a test reads them
  responsive: true,
  maintainAspectRatio: false,
  plugins: { legend: { position: 'bottom' } },
};

const charts = new WeakMap();

function draw(canvas, config) {
  charts.get(canvas)?.destroy();
  // How many values the chart plots (gaps excluded): axes alone also put ink on a canvas, this says data was drawn.
  const plotted = (value) => value !== null && value !== undefined && !(typeof value === 'number' && Number.isNaN(value)) && !(typeof value === 'object' && Number.isNaN(value.x));
  canvas.dataset.points = String(config.data.datasets.reduce((count, dataset) => count + dataset.data.filter(plotted).length, 0));
  const chart = new Chart(canvas, config);
  charts.set(canvas, chart);
  return chart;
}

function describe(canvas, text) {
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', text);
}

/** Silhouette in plain language (Kaufman & Rousseeuw's bands). */
export function qualityBand(silhouette) {
  if (silhouette === null || silhouette === undefined) {
    return { band: 'undefined', text: 'Silhouette is undefined for a single segment: there is no structure to judge.' };
  }
  if (silhouette > 0.7) return { band: 'strong', text: 'Strong structure: customers sit clearly inside their segments.' };
  if (silhouette > 0.5) return { band: 'reasonable', text: 'Reasonable structure: most customers are clearly closer to their own segment.' };
  if (silhouette > 0.25) return { band: 'weak', text: 'Weak structure: segments are real but overlap; treat borders as soft.' };
  return { band: 'none', text: 'No substantial structure: segments are mostly a convenient partition of a continuum.' };
}

export function elbowChart(canvas, candidates, k, elbowK) {
  describe(canvas, `Inertia for k = ${candidates.map((c) => c.k).join(', ')}; chosen k = ${k}`);
  return draw(canvas, {
    type: 'line',
    data: {
      labels: candidates.map((c) => String(c.k)),
      datasets: [
        {
          label: 'Inertia (within-segment spread)',
          data: candidates.map((c) => c.inertia),
          borderColor: colour(0),
          backgroundColor: colour(0),
          yAxisID: 'inertia',
          pointRadius: candidates.map((c) => (c.k === k ? 8 : 3)),
          pointBackgroundColor: candidates.map((c) => (c.k === k ? colour(1) : colour(0))),
        },
        {
          label: 'Silhouette',
          data: candidates.map((c) => c.silhouette),
          borderColor: colour(2),
          backgroundColor: colour(2),
          borderDash: [6, 4],
          yAxisID: 'silhouette',
        },
      ],
    },
    options: {
      ...base,
      scales: {
        x: { title: { display: true, text: 'k (number of segments)' } },
        inertia: { position: 'left', title: { display: true, text: 'inertia' } },
        silhouette: { position: 'right', title: { display: true, text: 'silhouette' }, grid: { drawOnChartArea: false } },
      },
      plugins: {
        ...base.plugins,
        title: { display: true, text: `Chosen k = ${k}${elbowK ? ` (elbow at k = ${elbowK})` : ''}` },
      },
    },
  });
}

export function projectionChart(canvas, points, segments) {
  describe(canvas, `PCA projection of ${points.length} customers coloured by segment`);
  const datasets = segments.map((s, i) => ({
    label: `${s.id} ${s.persona}`,
    data: points.filter((p) => p.segment === s.id).map((p) => ({ x: p.x, y: p.y })),
    backgroundColor: colour(i),
    pointRadius: 2.5,
  }));
  return draw(canvas, {
    type: 'scatter',
    data: { datasets },
    options: { ...base, scales: { x: { title: { display: true, text: 'PC 1' } }, y: { title: { display: true, text: 'PC 2' } } } },
  });
}

export function radarChart(canvas, segments, features) {
  describe(canvas, `Segment centroids in z-units over ${features.join(', ')}`);
  return draw(canvas, {
    type: 'radar',
    data: {
      labels: features,
      datasets: segments.map((s, i) => ({
        label: `${s.id} ${s.persona}`,
        data: features.map((f) => s.centroidZ?.[f] ?? 0),
        borderColor: colour(i),
        backgroundColor: `${colour(i)}22`,
        pointBackgroundColor: colour(i),
      })),
    },
    options: { ...base, scales: { r: { title: { display: true, text: 'z-units (0 = average customer)' } } } },
  });
}

export function sizeChart(canvas, segments) {
  describe(canvas, `Segment sizes: ${segments.map((s) => `${s.persona} ${s.size}`).join(', ')}`);
  return draw(canvas, {
    type: 'bar',
    data: {
      labels: segments.map((s) => `${s.id} ${s.persona}`),
      datasets: [{ label: 'Customers', data: segments.map((s) => s.size), backgroundColor: segments.map((_, i) => colour(i)) }],
    },
    options: { ...base, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, title: { display: true, text: 'customers' } } } },
  });
}

/**
 * The top of a SciPy-convention merge tree (ids >= leafCount are earlier merges) as U-shaped links. Only the last
 * `show` merges are drawn (SciPy's truncate_mode='lastp'); the clusters below them become labelled leaves.
 */
export function dendrogramLayout(tree, show = 30) {
  const n = tree.leafCount;
  const merges = tree.merges;
  const first = Math.max(0, merges.length - show);
  const sizeOf = (id) => (id < n ? 1 : merges[id - n].size);
  const isDrawn = (id) => id >= n + first;
  const links = [];
  const leaves = [];
  // Iterative post-order so deep trees cannot overflow the stack.
  const position = new Map();
  const stack = [{ id: n + merges.length - 1, visited: false }];
  while (stack.length) {
    const top = stack.pop();
    if (!isDrawn(top.id)) {
      position.set(top.id, { x: leaves.length, y: 0 });
      leaves.push(`(${sizeOf(top.id)})`);
      continue;
    }
    const m = merges[top.id - n];
    if (!top.visited) {
      stack.push({ id: top.id, visited: true }, { id: m.right, visited: false }, { id: m.left, visited: false });
      continue;
    }
    const l = position.get(m.left);
    const r = position.get(m.right);
    links.push([{ x: l.x, y: l.y }, { x: l.x, y: m.height }, { x: r.x, y: m.height }, { x: r.x, y: r.y }]);
    position.set(top.id, { x: (l.x + r.x) / 2, y: m.height });
  }
  return { links, leaves };
}

export function dendrogramChart(canvas, tree) {
  const { links, leaves } = dendrogramLayout(tree);
  describe(canvas, `Dendrogram of the last ${links.length} merges over ${tree.leafCount} customers`);
  const data = links.flatMap((link) => [...link, { x: NaN, y: NaN }]);
  return draw(canvas, {
    type: 'scatter',
    data: { datasets: [{ label: 'merge height', data, showLine: true, spanGaps: false, borderColor: colour(0), pointRadius: 0, borderWidth: 1.5 }] },
    options: {
      ...base,
      plugins: { legend: { display: false }, tooltip: { enabled: false } },
      scales: {
        x: {
          min: -0.5,
          max: leaves.length - 0.5,
          afterBuildTicks: (axis) => { axis.ticks = leaves.map((_, i) => ({ value: i })); },
          ticks: { autoSkip: false, callback: (v) => leaves[v] ?? '' },
          title: { display: true, text: 'clusters (size)' },
        },
        y: { beginAtZero: true, title: { display: true, text: 'merge height' } },
      },
    },
  });
}

/** One bar per named value (model metrics, feature contributions). */
export function barChart(canvas, label, entries, { horizontal = false, logWhenWide = false } = {}) {
  describe(canvas, `${label}: ${entries.map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ')}`);
  // Counts and seconds side by side span orders of magnitude: a log axis keeps the small ones visible.
  const values = entries.map(([, v]) => v);
  const positive = values.every((v) => v > 0);
  const logarithmic = logWhenWide && positive && Math.max(...values) / Math.min(...values) > 1000;
  const valueAxis = { type: logarithmic ? 'logarithmic' : 'linear', title: { display: logarithmic, text: 'log scale' } };
  return draw(canvas, {
    type: 'bar',
    data: { labels: entries.map(([k]) => k), datasets: [{ label, data: values, backgroundColor: entries.map((_, i) => colour(i)) }] },
    options: {
      ...base,
      indexAxis: horizontal ? 'y' : 'x',
      scales: horizontal ? { x: valueAxis } : { y: valueAxis },
      plugins: { legend: { display: false }, title: { display: true, text: label } },
    },
  });
}

/** One line per metric across model versions (oldest first). */
export function versionsChart(canvas, versions, metricNames) {
  describe(canvas, `Model metrics ${metricNames.join(', ')} across ${versions.length} versions`);
  return draw(canvas, {
    type: 'line',
    data: {
      labels: versions.map((v) => v.version),
      datasets: metricNames.map((name, i) => ({
        label: name,
        data: versions.map((v) => v.metrics?.[name] ?? null),
        borderColor: colour(i),
        backgroundColor: colour(i),
      })),
    },
    options: { ...base, scales: { x: { title: { display: true, text: 'version' } } } },
  });
}

/**
 * A rate per group as a floating bar from its 95 % interval's low to its high end, the estimate as a point on it
 * (Chart.js floating bars: each value is [low, high]). Rates are fractions, shown in per cent.
 */
export function intervalChart(canvas, label, entries) {
  describe(canvas, `${label} with 95 % intervals: ${entries.map((e) => `${e.name} ${formatPercent(e.rate)} (${formatPercent(e.low)} to ${formatPercent(e.high)})`).join('; ')}`);
  return draw(canvas, {
    type: 'bar',
    data: {
      labels: entries.map((e) => e.name),
      datasets: [
        { type: 'line', label, data: entries.map((e) => 100 * e.rate), showLine: false, pointRadius: 6, pointStyle: 'rectRot', borderColor: '#000000', backgroundColor: '#000000' },
        { label: '95 % interval', data: entries.map((e) => [100 * e.low, 100 * e.high]), backgroundColor: entries.map((_, i) => `${colour(i)}99`), borderColor: entries.map((_, i) => colour(i)), borderWidth: 2, borderSkipped: false, maxBarThickness: 120 },
      ],
    },
    options: { ...base, scales: { y: { beginAtZero: true, title: { display: true, text: `${label} (%)` } } }, plugins: { ...base.plugins, title: { display: true, text: `${label}: estimate and 95 % interval` } } },
  });
}

/** One line per series over shared labels (days); null values are gaps. */
export function seriesChart(canvas, title, labels, series, axisTitle) {
  const last = (values) => values.filter((v) => v !== null && v !== undefined).at(-1);
  describe(canvas, `${title} from ${labels[0]} to ${labels.at(-1)}: ${series.map((s) => `${s.name} last ${formatNumber(last(s.values), 2)}`).join(', ')}`);
  return draw(canvas, {
    type: 'line',
    data: {
      labels,
      datasets: series.map((s, i) => ({ label: s.name, data: s.values, borderColor: colour(i), backgroundColor: colour(i), spanGaps: false })),
    },
    options: { ...base, scales: { x: { title: { display: true, text: 'day (UTC)' } }, y: { beginAtZero: true, title: { display: true, text: axisTitle } } }, plugins: { ...base.plugins, title: { display: true, text: title } } },
  });
}

export function formatNumber(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en');
  return value.toLocaleString('en', { maximumFractionDigits: Math.abs(value) >= 100 ? 1 : digits });
}

/** A fraction as a percentage ('n/a' when missing). */
export function formatPercent(fraction, digits = 2) {
  return fraction === null || fraction === undefined || Number.isNaN(fraction) ? 'n/a' : `${formatNumber(100 * fraction, digits)} %`;
}
