// The Experiments tab: online experiments between recommendation strategies, their results, and stopping one.
// The page's API helper and status line are passed in, so this module shares them instead of having its own.
import { chartBox, h, table } from './dom.js';
import { formatNumber, formatPercent, intervalChart, seriesChart } from './charts.js';

const metricNames = { ctr: 'CTR', conversion: 'conversion', 'revenue-per-mille': 'revenue per 1,000 impressions' };
const metricName = (metric) => metricNames[metric] ?? metric;
const when = (time) => new Date(time).toLocaleString('en-GB');
const formatP = (p) => (p === null || p === undefined ? 'n/a' : p < 0.0001 ? 'p < 0.0001' : `p = ${formatNumber(p, 4)}`);
const signed = (text, value) => (value > 0 ? `+${text}` : text);

/** running / planned / stopped, with a sentence saying since or until when (the server's `running` flag decides "running"). */
export function experimentStatus(summary, now = Date.now()) {
  const e = summary.experiment;
  const ends = e.endsAt ?? e.stoppedAt ?? e.stopsAt;
  if (summary.running) return { status: 'running', text: `running since ${when(e.startsAt)}${e.stopsAt ? `, until ${when(e.stopsAt)}` : ''}` };
  if (Date.parse(e.startsAt) > now) return { status: 'planned', text: `planned from ${when(e.startsAt)}` };
  return { status: 'stopped', text: ends ? `stopped ${when(ends)}` : 'stopped' };
}

/** What a variant serves: a stored model version or a built-in strategy. */
const serves = (variant) => (variant?.modelVersion ? `model ${variant.modelVersion}` : variant?.strategy ? `${variant.strategy} (built-in)` : '');

/** A metric's value as the results report it: rates in per cent, revenue per 1,000 impressions in currency units. */
const value = (metric, x) => (metric === 'revenue-per-mille' ? formatNumber(x, 2) : formatPercent(x));
const difference = (metric, x) => (metric === 'revenue-per-mille' ? signed(formatNumber(x, 2), x) : signed(`${formatNumber(100 * x, 2)} points`, x));
const interval = (metric, low, high) => (low === null || low === undefined ? 'none yet'
  : metric === 'revenue-per-mille' ? `${formatNumber(low, 2)} to ${formatNumber(high, 2)}` : `${formatNumber(100 * low, 2)} to ${formatNumber(100 * high, 2)} points`);
const rateWithInterval = (rate) => h('span', {}, formatPercent(rate.rate), h('span', { class: 'ci' }, `${formatNumber(100 * rate.ciLow, 2)} to ${formatPercent(rate.ciHigh)}`));

/**
 * Daily rows ({ day, variant, impressions, clicks, purchases, revenue }) as chart series over the days: CTR per day
 * (a gap on a day without impressions) and revenue accumulated since the first day.
 */
export function dailySeries(daily, variantOrder) {
  const days = [...new Set(daily.map((d) => d.day))].sort();
  const names = [...new Set([...variantOrder, ...daily.map((d) => d.variant)])].filter((name) => daily.some((d) => d.variant === name));
  const total = (name, day, field) => daily.filter((d) => d.variant === name && d.day === day).reduce((sum, d) => sum + (Number(d[field]) || 0), 0);
  const ctr = names.map((name) => ({
    name,
    values: days.map((day) => {
      const impressions = total(name, day, 'impressions');
      return impressions > 0 ? (100 * total(name, day, 'clicks')) / impressions : null;
    }),
  }));
  const revenue = names.map((name) => {
    let sum = 0;
    return { name, values: days.map((day) => (sum += total(name, day, 'revenue'))) };
  });
  return { days, ctr, revenue };
}

const howToRead = 'Each rate has a 95 % interval, the range of true values the data is consistent with; when the interval of a difference '
  + 'includes 0, the data cannot tell the variant from the control yet. The p-value is how often a difference at least this large would '
  + 'appear by chance if the variants were equal: below 0.05 is called significant, so about one comparison in twenty is "significant" by '
  + 'chance alone. Fix how long the experiment runs before it starts and judge it at the end: looking every day and stopping at the first '
  + 'significant result (peeking) finds differences that are not there far more often. With few impressions, clicks or purchases per '
  + 'variant the intervals are wide and a large-looking difference is usually noise.';

export function experimentsPage({ api, announce, failed, list, results }) {
  const summaries = new Map();
  let shown = null;

  async function load({ quiet = false } = {}) {
    try {
      const page = await api('/v1/experiments');
      renderList(page?.items ?? []);
      if (shown && summaries.has(shown)) await showResults(shown, { quiet, focus: false });
    } catch (error) {
      failed(error);
    }
  }

  function renderList(items) {
    summaries.clear();
    items.forEach((s) => summaries.set(s.experiment.id, s));
    if (!items.length) {
      list.replaceChildren(h('p', {}, 'There are no experiments yet (they are created with POST v1/experiments).'));
      results.replaceChildren();
      return;
    }
    const order = { running: 0, planned: 1, stopped: 2 };
    const rows = items.map((s) => ({ s, state: experimentStatus(s) }))
      .sort((a, b) => order[a.state.status] - order[b.state.status] || String(b.s.experiment.startsAt).localeCompare(String(a.s.experiment.startsAt)));
    list.replaceChildren(table(['experiment', 'status', 'variants (weight, share, serves)', 'primary metric', 'guardrails', ''], rows.map(({ s, state }) => {
      const e = s.experiment;
      const weights = e.variants.reduce((sum, v) => sum + v.weight, 0);
      return [
        h('span', { 'data-experiment': e.id }, h('strong', {}, e.id), e.canary ? h('span', { class: 'muted' }, ' (canary)') : null),
        h('span', { 'data-status': state.status }, state.text),
        h('ul', { class: 'plain' }, e.variants.map((v, i) => h('li', {},
          `${v.name}${i === 0 ? ' (control)' : ''}: weight ${formatNumber(v.weight)}, ${formatNumber((100 * v.weight) / weights, 1)} %, ${serves(v)}`))),
        metricName(e.primaryMetric),
        e.guardrails?.length ? e.guardrails.map(metricName).join(', ') : 'none',
        h('span', { class: 'actions' },
          h('button', { type: 'button', 'aria-label': `Results of experiment ${e.id}`, onclick: () => showResults(e.id) }, 'Results'),
          state.status === 'running'
            ? h('button', { type: 'button', class: 'danger', 'aria-label': `Stop experiment ${e.id}`, onclick: () => stop(s) }, 'Stop')
            : null),
      ];
    }), 'Experiments'));
  }

  async function showResults(id, { quiet = false, focus = true } = {}) {
    try {
      const view = await api(`/v1/experiments/${encodeURIComponent(id)}/results`);
      shown = id;
      const drawers = [];
      const heading = h('h3', { tabindex: '-1' }, `Results of ${id}`);
      results.replaceChildren(heading, ...resultsView(view, summaries.get(id)?.experiment, drawers));
      drawers.forEach((drawChart) => drawChart());
      if (focus) heading.focus();
      if (!quiet) announce(`Results of experiment ${id} loaded.`);
    } catch (error) {
      failed(error);
    }
  }

  async function stop(summary) {
    const id = summary.experiment.id;
    if (!window.confirm(`Stop experiment ${id} now? Every user sees the active model again, and a stopped experiment cannot be restarted.`)) return;
    try {
      // If-Match: stop the definition this list showed, not one changed since (409 then).
      const etag = summary.experiment.eTag;
      await api(`/v1/experiments/${encodeURIComponent(id)}/stop`, { method: 'POST', headers: etag ? { 'If-Match': etag } : {} });
      await load({ quiet: true });
      announce(`Experiment ${id} stopped.`);
    } catch (error) {
      failed(error);
    }
  }

  return { load };
}

/** Names a table's box, so a reader (or a test) can find it by what it holds. */
const marked = (name, element) => {
  element.dataset.table = name;
  return element;
};

function resultsView(view, experiment, drawers) {
  const r = view.results ?? view;
  const variants = r.variants ?? [];
  const definitions = new Map((experiment?.variants ?? []).map((v) => [v.name, v]));
  const daily = view.daily ?? r.daily ?? [];
  const parts = [
    h('p', { class: 'muted' }, `${when(view.from)} to ${when(view.to)} · a purchase counts for a click up to ${view.windowHours} h before it · control: ${r.control}`),
    h('p', { class: 'verdict', 'data-verdict': '' }, r.verdict),
    r.sampleRatioMismatch
      ? h('p', { class: 'band band-none', 'data-srm': 'mismatch' }, h('strong', {}, 'Sample ratio mismatch. '),
        `The variants did not receive their planned shares of impressions (${formatP(r.sampleRatioPValue)}, below 0.001): assignment or counting is broken, so no difference below can be trusted until it is fixed.`)
      : h('p', { class: 'muted', 'data-srm': 'ok' }, `Traffic split as planned (sample ratio check ${formatP(r.sampleRatioPValue)}).`),
    marked('variants', table(['variant', 'serves', 'impressions', 'clicks', 'add-to-carts', 'purchases', 'orders', 'revenue', 'CTR (95 % CI)', 'conversion (95 % CI)', 'revenue per 1,000 impressions'],
      variants.map((v) => [
        `${v.variant}${v.variant === r.control ? ' (control)' : ''}`, h('span', { class: 'serves' }, serves(definitions.get(v.variant))),
        formatNumber(v.impressions), formatNumber(v.clicks), formatNumber(v.addToCarts ?? 0), formatNumber(v.purchases), formatNumber(v.orders ?? 0),
        formatNumber(v.revenue, 2), rateWithInterval(v.ctr), rateWithInterval(v.conversion), formatNumber(v.revenuePerMille, 2),
      ]), 'Per variant')),
  ];
  for (const v of variants.filter((x) => x.versusControl?.length)) {
    parts.push(marked('versus', table(['metric', r.control, v.variant, 'difference', '95 % CI of the difference', 'p-value'], v.versusControl.map((c) => [
      metricName(c.metric), value(c.metric, c.control), value(c.metric, c.variant),
      difference(c.metric, c.difference.value), interval(c.metric, c.difference.ciLow, c.difference.ciHigh), formatP(c.difference.pValue),
    ]), `${v.variant} versus ${r.control}`)));
  }
  if (variants.length) {
    const box = chartBox('Click-through rate per variant: the bar spans the 95 % interval, the diamond is the estimate. Overlapping bars are no proof of equality; the difference tables above are the test.');
    box.element.dataset.chart = 'ctr';
    parts.push(box.element);
    drawers.push(() => intervalChart(box.canvas, 'CTR', variants.map((v) => ({ name: v.variant, rate: v.ctr.rate, low: v.ctr.ciLow, high: v.ctr.ciHigh }))));
  }
  parts.push(h('h4', {}, 'Over time'));
  if (daily.length) {
    const series = dailySeries(daily, variants.map((v) => v.variant));
    const ctr = chartBox('CTR per day and variant (clicks per impression that day; a gap is a day without impressions).');
    const revenue = chartBox('Revenue attributed to each variant, accumulated day by day.');
    ctr.element.dataset.chart = 'daily-ctr';
    revenue.element.dataset.chart = 'daily-revenue';
    parts.push(ctr.element, revenue.element);
    drawers.push(() => seriesChart(ctr.canvas, 'CTR per day', series.days, series.ctr, 'CTR (%)'),
      () => seriesChart(revenue.canvas, 'Cumulative revenue', series.days, series.revenue, 'revenue'));
  } else {
    parts.push(h('p', { class: 'muted', 'data-daily': 'none' }, 'No day-by-day figures for this experiment yet, so there are no charts over time.'));
  }
  parts.push(h('h4', {}, 'How to read this'), h('p', { class: 'how-to-read' }, howToRead));
  return parts;
}
