// Renders the self-contained HTML report written by `smartshop report`: the data sits in the page as JSON.
import { analysisView } from './analysis-view.js';
import { barChart, formatNumber } from './charts.js';
import { chartBox, h, table } from './dom.js';

const data = JSON.parse(document.getElementById('report-data').textContent);
const root = document.getElementById('report');

const segmentation = data.segmentation ?? data.segmentationModel;
if (segmentation) {
  const analysis = segmentation;
  root.append(
    h('h2', {}, 'Segmentation'),
    h('p', { class: 'muted' }, `${formatNumber(analysis.input?.customers)} customers from ${analysis.input?.source ?? 'input'} · ${analysis.parameters?.algorithm ?? analysis.algorithm} · k = ${analysis.metrics?.k}`),
    analysisView(analysis).element);
}

if (data.training) {
  const t = data.training;
  const metrics = Object.entries(t.metrics ?? {}).filter(([, v]) => typeof v === 'number');
  const section = h('section', {}, h('h2', {}, 'Recommender training run'),
    table(['property', 'value'], [
      ['format', `${t.format ?? ''} schema ${t.schemaVersion ?? ''}`],
      ['training window', `${t.trainedFrom ?? ''} → ${t.trainedTo ?? ''}`],
      ['ranker', t.ranker ?? ''],
      ['users', formatNumber(t.users)],
      ['items', formatNumber(t.items)],
      ...Object.entries(t.parameters ?? {}).map(([k, v]) => [`parameter ${k}`, String(v)]),
    ], 'Model'));
  root.append(section);
  if (metrics.length) {
    const box = chartBox('Training metrics recorded in the model manifest.');
    section.append(box.element, table(['metric', 'value'], metrics.map(([k, v]) => [k, formatNumber(v, 4)]), 'Metrics'));
    barChart(box.canvas, 'Training metrics', metrics, { horizontal: true, logWhenWide: true });
  }
}
