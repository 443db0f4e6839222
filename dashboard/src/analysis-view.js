// A segmentation analysis (segments.json of `smartshop segment`, or the API's stored analysis) as tabbed charts.
import { chartBox, h, table, tabs } from './dom.js';
import { dendrogramChart, elbowChart, formatNumber, projectionChart, qualityBand, radarChart, sizeChart } from './charts.js';

/**
 * One shape for both sources: the API's analysis resource / active segmentation (a SegmentationView under `result`,
 * the merge tree fetched separately as `tree`) and segments.json of `smartshop segment` or a model.json's own report
 * (the HTML report).
 */
export function toView(json) {
  if (json.input && json.metrics?.candidates) {
    const p = json.parameters ?? {};
    return {
      algorithm: p.algorithm ?? json.algorithm, linkage: p.linkage ?? json.linkage, kSelection: p.kSelection, minK: p.minK, maxK: p.maxK,
      k: json.metrics.k, customers: json.input.customers, source: json.input.source, features: json.input.featureNames,
      metrics: json.metrics, candidates: json.metrics.candidates, elbowK: json.metrics.elbowK,
      segments: json.segments.map((s) => ({ ...s, centroid: s.centroidOriginal })),
      projection: json.projection ?? [], tree: json.hierarchy?.tree ?? null, sampled: json.hierarchy?.sampled ?? false,
    };
  }
  const view = json.result ?? json;
  const p = json.parameters;
  return {
    algorithm: view.algorithm, linkage: view.linkage,
    kSelection: p ? (p.k === 'auto' ? 'auto (best silhouette)' : 'fixed') : undefined, minK: p?.minK, maxK: p?.maxK,
    k: view.k, customers: view.customers, source: json.source, features: view.features ?? [],
    metrics: view.metrics ?? {}, candidates: view.elbow ?? [], elbowK: view.elbowK,
    segments: view.segments ?? [], projection: view.pcaSample ?? [],
    tree: json.tree ?? null, sampled: json.treeSampled ?? false,
  };
}

export function analysisView(json) {
  const v = toView(json);
  const metrics = v.metrics;
  const segments = v.segments;
  const features = v.features.length ? v.features : Object.keys(segments[0]?.centroidZ ?? {});
  const items = [
    {
      key: 'elbow',
      title: 'Elbow',
      render(panel) {
        const box = chartBox(`Inertia and silhouette per k${v.kSelection ? ` (k selection: ${v.kSelection})` : ''}. The large orange point is the chosen k.`);
        panel.append(box.element);
        elbowChart(box.canvas, v.candidates, v.k, v.elbowK);
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
            ['segments (k)', v.k, v.kSelection === 'fixed' ? 'fixed by the request' : v.minK ? `best silhouette over k = ${v.minK}…${v.maxK}` : ''],
            ['silhouette', formatNumber(metrics.silhouette), '−1…1, higher is better'],
            ['Davies–Bouldin', formatNumber(metrics.daviesBouldin), 'lower is better'],
            ['Calinski–Harabasz', formatNumber(metrics.calinskiHarabasz, 0), 'higher is better'],
            ['stability (adjusted Rand index between seeds)', formatNumber(metrics.stabilityAdjustedRandIndex), '1 = identical segments with other seeds'],
            ['anomalies', metrics.anomalies, 'customers far from every segment centre'],
            ['customers', formatNumber(v.customers), `${v.algorithm ?? ''}${v.linkage ? ` (${v.linkage})` : ''}`],
          ], 'Clustering quality'));
      },
    },
    {
      key: 'pca',
      title: 'PCA scatter',
      render(panel) {
        const box = chartBox('Customers projected on the first two principal components, coloured by segment.');
        panel.append(box.element);
        projectionChart(box.canvas, v.projection, segments);
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
  if (v.tree) {
    items.push({
      key: 'dendrogram',
      title: 'Dendrogram',
      render(panel) {
        const box = chartBox(`The last merges of the ${v.linkage ?? ''} tree${v.sampled ? ' (built on a sample)' : ''}; leaves show cluster sizes.`);
        panel.append(box.element);
        dendrogramChart(box.canvas, v.tree);
      },
    });
  }
  items.push({
    key: 'personas',
    title: 'Personas',
    render(panel) {
      panel.append(h('div', { class: 'cards' }, segments.map((s) => h('article', { class: 'card', 'data-segment': s.id },
        h('h4', {}, `${s.persona}`),
        h('p', { class: 'muted' }, s.size === null || s.size === undefined ? `Segment ${s.id}` : `Segment ${s.id} · ${formatNumber(s.size)} customers (${formatNumber(s.share * 100, 1)} %)`),
        h('p', {}, s.strategy),
        h('dl', {}, Object.entries(s.centroid ?? {}).flatMap(([f, v]) => [h('dt', {}, f), h('dd', {}, formatNumber(v, 2))]))))));
    },
  });
  return tabs('Analysis results', items);
}
