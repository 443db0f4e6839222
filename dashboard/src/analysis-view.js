// A segmentation analysis (segments.json of `smartshop segment`, or the API's stored analysis) as tabbed charts.
import { chartBox, h, table, tabs } from './dom.js';
import { dendrogramChart, elbowChart, formatNumber, projectionChart, qualityBand, radarChart, sizeChart } from './charts.js';

/** Accepts the analysis itself or an API envelope that carries it under `analysis`. */
export function unwrapAnalysis(json) {
  return json?.analysis ?? json;
}

export function analysisView(json) {
  const analysis = unwrapAnalysis(json);
  const metrics = analysis.metrics;
  const segments = analysis.segments ?? [];
  const features = analysis.input?.featureNames ?? Object.keys(segments[0]?.centroidZ ?? {});
  const p = analysis.parameters ?? {};
  const items = [
    {
      key: 'elbow',
      title: 'Elbow',
      render(panel) {
        const box = chartBox(`Inertia and silhouette per k (k selection: ${p.kSelection ?? 'fixed'}). The large orange point is the chosen k.`);
        panel.append(box.element);
        elbowChart(box.canvas, metrics);
      },
    },
    {
      key: 'metrics',
      title: 'Metrics',
      render(panel) {
        const quality = qualityBand(metrics.silhouette);
        panel.append(
          h('p', { class: `band band-${quality.band}`, 'data-band': quality.band }, h('strong', {}, `Quality: ${quality.band}. `), quality.text),
          table(['metric', 'value', 'meaning'], [
            ['segments (k)', metrics.k, p.kSelection === 'fixed' ? 'fixed by the request' : `best silhouette over k = ${p.minK}…${p.maxK}`],
            ['silhouette', formatNumber(metrics.silhouette), '−1…1, higher is better'],
            ['Davies–Bouldin', formatNumber(metrics.daviesBouldin), 'lower is better'],
            ['Calinski–Harabasz', formatNumber(metrics.calinskiHarabasz, 0), 'higher is better'],
            ['stability (adjusted Rand index between seeds)', formatNumber(metrics.stabilityAdjustedRandIndex), '1 = identical segments with other seeds'],
            ['anomalies', metrics.anomalies, 'customers far from every segment centre'],
            ['customers', analysis.input?.customers, `${p.algorithm ?? ''}${p.linkage ? ` (${p.linkage})` : ''}`],
          ], 'Clustering quality'));
      },
    },
    {
      key: 'pca',
      title: 'PCA scatter',
      render(panel) {
        const box = chartBox('Customers projected on the first two principal components, coloured by segment.');
        panel.append(box.element);
        projectionChart(box.canvas, analysis.projection ?? [], segments);
      },
    },
    {
      key: 'radar',
      title: 'Centroids',
      render(panel) {
        const box = chartBox('Segment centres in z-units: 0 is the average customer, ±1 one standard deviation (recency: negative = recent).');
        panel.append(box.element);
        radarChart(box.canvas, segments, features);
      },
    },
    {
      key: 'sizes',
      title: 'Sizes',
      render(panel) {
        const box = chartBox('Customers per segment.');
        panel.append(box.element);
        sizeChart(box.canvas, segments);
      },
    },
  ];
  if (analysis.hierarchy?.tree) {
    items.push({
      key: 'dendrogram',
      title: 'Dendrogram',
      render(panel) {
        const box = chartBox(`The last merges of the ${p.linkage ?? ''} tree${analysis.hierarchy.sampled ? ' (built on a sample)' : ''}; leaves show cluster sizes.`);
        panel.append(box.element);
        dendrogramChart(box.canvas, analysis.hierarchy.tree);
      },
    });
  }
  items.push({
    key: 'personas',
    title: 'Personas',
    render(panel) {
      panel.append(h('div', { class: 'cards' }, segments.map((s) => h('article', { class: 'card', 'data-segment': s.id },
        h('h4', {}, `${s.persona}`),
        h('p', { class: 'muted' }, `Segment ${s.id} · ${formatNumber(s.size)} customers (${formatNumber(s.share * 100, 1)} %)`),
        h('p', {}, s.strategy),
        h('dl', {}, Object.entries(s.centroidOriginal ?? {}).flatMap(([f, v]) => [h('dt', {}, f), h('dd', {}, formatNumber(v, 2))]))))));
    },
  });
  return tabs('Analysis results', items);
}
