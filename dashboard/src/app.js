// The SmartShop dashboard: segmentation uploads and results, the model registry, live recommendations and experiments.
// Served by the Functions app at /api/dashboard/; the API lives beside it under /api/v1 and needs a key (the master key for the admin routes).
import { analysisView, toView } from './analysis-view.js';
import { barChart, formatNumber, versionsChart } from './charts.js';
import { chartBox, h, table, tabs } from './dom.js';
import { experimentsPage } from './experiments-view.js';

const apiRoot = location.pathname.replace(/\/dashboard(\/.*)?$/, '');
const keyStorage = 'smartshop.functionKey';

// A key in the URL fragment (#key=…) never reaches a server log; take it and clear it from the address bar.
const fragmentKey = new URLSearchParams(location.hash.slice(1)).get('key');
if (fragmentKey) {
  sessionStorage.setItem(keyStorage, fragmentKey);
  history.replaceState(null, '', location.pathname + location.search);
}

const status = document.getElementById('status');
function announce(text, isError = false) {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

class ApiError extends Error {}

async function api(path, options = {}) {
  const key = sessionStorage.getItem(keyStorage);
  if (!key) throw new ApiError('Enter the admin (master) key first (Settings above).');
  const response = await fetch(apiRoot + path, { ...options, headers: { ...(options.headers ?? {}), 'x-functions-key': key } });
  if (response.status === 202) return { accepted: true, response, body: await response.json().catch(() => ({})) };
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const code = body?.code ? ` [${body.code}]` : '';
    throw new ApiError(`${response.status} ${body?.detail ?? body?.title ?? response.statusText}${code}`);
  }
  return body;
}

const failed = (error) => announce(error instanceof ApiError ? error.message : `Unexpected error: ${error.message}`, true);

// ---- Function key ----
const keyForm = document.getElementById('key-form');
const keyInput = document.getElementById('function-key');
const keyState = document.getElementById('key-state');
const showKeyState = () => { keyState.textContent = sessionStorage.getItem(keyStorage) ? 'Key set for this browser tab.' : 'No key set.'; };
keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (keyInput.value.trim()) sessionStorage.setItem(keyStorage, keyInput.value.trim());
  keyInput.value = '';
  showKeyState();
  announce('Function key saved for this tab.');
  refreshAll();
});
showKeyState();

// ---- Segmentation ----
const segmentForm = document.getElementById('segment-form');
const dropZone = document.getElementById('drop-zone');
const fileInput = document.getElementById('csv-file');
const fileName = document.getElementById('file-name');
const algorithm = document.getElementById('algorithm');
const linkage = document.getElementById('linkage');
const kMode = document.getElementById('k-mode');
const kValue = document.getElementById('k-value');
const progress = document.getElementById('progress');
const results = document.getElementById('segment-results');
let chosenFile = null;

const chooseFile = (file) => {
  chosenFile = file ?? null;
  fileName.textContent = chosenFile ? `${chosenFile.name} (${formatNumber(chosenFile.size)} bytes)` : 'No file chosen.';
};
fileInput.addEventListener('change', () => chooseFile(fileInput.files[0]));
dropZone.addEventListener('dragover', (event) => { event.preventDefault(); dropZone.classList.add('over'); });
dropZone.addEventListener('dragleave', () => dropZone.classList.remove('over'));
dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  dropZone.classList.remove('over');
  chooseFile(event.dataTransfer.files[0]);
});
const syncParameters = () => {
  linkage.disabled = algorithm.value !== 'hierarchical';
  kValue.disabled = kMode.value === 'auto';
};
algorithm.addEventListener('change', syncParameters);
kMode.addEventListener('change', syncParameters);
syncParameters();

function showAnalysis(json, heading) {
  const view = toView(json);
  results.replaceChildren(
    h('h3', {}, heading),
    h('p', { class: 'muted' }, `${formatNumber(view.customers)} customers · k = ${view.k} · ${view.algorithm ?? ''}${view.linkage ? ` (${view.linkage})` : ''}`),
    analysisView(json).element);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** An API link (/api/v1/…) as a path under the API root this page was served from. */
const apiPath = (link) => {
  const url = new URL(link, window.location.href);
  return url.pathname.replace(/^\/api(?=\/)/, '') + url.search;
};

/** A finished analysis resource with its merge tree (hierarchical runs) attached for the dendrogram. */
async function withTree(resource) {
  if (resource.links?.dendrogram && resource.result?.algorithm === 'hierarchical') {
    const dendrogram = await api(apiPath(resource.links.dendrogram));
    return { ...resource, tree: { leafCount: dendrogram.leafCount, merges: dendrogram.merges }, treeSampled: dendrogram.sampled };
  }
  return resource;
}

async function waitForAnalysis(accepted) {
  const location = accepted.response.headers.get('Location') ?? accepted.body.links?.self;
  if (!location) throw new ApiError('The server accepted the analysis but gave no status URL.');
  for (let attempt = 1; attempt <= 600; attempt++) {
    progress.querySelector('span').textContent = `Running in the background… (checked ${attempt} time${attempt === 1 ? '' : 's'})`;
    await sleep(Math.min(1000, 200 * attempt));
    const resource = await api(apiPath(location));
    if (resource.status === 'succeeded') return resource;
    if (resource.status === 'failed') throw new ApiError(`The analysis failed: ${resource.error ?? 'no reason given'}`);
  }
  throw new ApiError('The analysis did not finish within 10 minutes.');
}

segmentForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!chosenFile) {
    announce('Choose or drop a CSV file first.', true);
    dropZone.focus();
    return;
  }
  const form = new FormData();
  form.append('file', chosenFile, chosenFile.name);
  form.append('k', kMode.value === 'auto' ? 'auto' : kValue.value);
  form.append('algorithm', algorithm.value);
  if (algorithm.value === 'hierarchical') form.append('linkage', linkage.value);
  form.append('delimiter', document.getElementById('delimiter').value || ',');
  progress.hidden = false;
  progress.querySelector('span').textContent = 'Uploading and analysing…';
  segmentForm.querySelector('button[type=submit]').disabled = true;
  try {
    let answer = await api('/v1/segmentation/analyses', { method: 'POST', body: form });
    if (answer?.accepted) answer = await waitForAnalysis(answer);
    showAnalysis(await withTree(answer), `Analysis of ${chosenFile.name}`);
    announce('Analysis finished.');
    await loadHistory();
  } catch (error) {
    failed(error);
  } finally {
    progress.hidden = true;
    segmentForm.querySelector('button[type=submit]').disabled = false;
  }
});

async function loadActiveSegments() {
  try {
    const active = await api('/v1/segments');
    showAnalysis(active, `Active segmentation model ${active.modelVersion}`);
  } catch (error) {
    failed(error);
  }
}
document.getElementById('show-active').addEventListener('click', loadActiveSegments);

const history = document.getElementById('history');
async function loadHistory() {
  const page = await api('/v1/segmentation/analyses');
  const items = page?.items ?? [];
  if (!items.length) {
    history.replaceChildren(h('p', { class: 'muted' }, 'No stored analyses yet.'));
    return;
  }
  history.replaceChildren(table(['analysis', 'status', 'created', 'customers', 'k', 'silhouette', ''], items.map((a) => [
    a.source ?? a.id,
    a.status,
    new Date(a.createdAt).toLocaleString('en-GB'),
    formatNumber(a.customers),
    a.k,
    formatNumber(a.silhouette),
    h('span', { class: 'actions' },
      h('button', { type: 'button', 'aria-label': `View analysis ${a.id}`, onclick: () => viewAnalysis(a.id) }, 'View'),
      h('button', { type: 'button', class: 'danger', 'aria-label': `Delete analysis ${a.id}`, onclick: () => deleteAnalysis(a.id) }, 'Delete')),
  ]), 'Past analyses'));
}

async function viewAnalysis(id) {
  try {
    const resource = await api(`/v1/segmentation/analyses/${encodeURIComponent(id)}`);
    if (resource.status !== 'succeeded') {
      announce(`Analysis ${id} is ${resource.status}${resource.error ? `: ${resource.error}` : ''}.`, resource.status === 'failed');
      return;
    }
    showAnalysis(await withTree(resource), `Analysis of ${resource.source ?? id}`);
  } catch (error) {
    failed(error);
  }
}

async function deleteAnalysis(id) {
  if (!window.confirm(`Delete analysis ${id}?`)) return;
  try {
    await api(`/v1/segmentation/analyses/${encodeURIComponent(id)}`, { method: 'DELETE' });
    announce(`Analysis ${id} deleted.`);
    await loadHistory();
  } catch (error) {
    failed(error);
  }
}

// ---- Models ----
const modelsPanel = document.getElementById('models-content');
async function loadModels() {
  try {
    renderModels(await api('/v1/models'));
  } catch (error) {
    failed(error);
  }
}

function renderModels(catalog) {
  const kinds = catalog.models ?? [];
  if (!kinds.length) {
    modelsPanel.replaceChildren(h('p', {}, 'The registry holds no models yet.'));
    return;
  }
  modelsPanel.replaceChildren(...kinds.map(renderModelKind));
}

const numericEntries = (object) => Object.entries(object ?? {}).filter(([, v]) => typeof v === 'number');

/** The first object (or number) under a key that mentions drift, anywhere in a training record or metrics. */
function findDrift(value, depth = 0) {
  if (!value || typeof value !== 'object' || depth > 4) return null;
  for (const [key, inner] of Object.entries(value)) {
    if (/drift/i.test(key) && (typeof inner === 'number' || (inner && typeof inner === 'object'))) return typeof inner === 'number' ? { [key]: inner } : inner;
  }
  for (const inner of Object.values(value)) {
    const found = findDrift(inner, depth + 1);
    if (found) return found;
  }
  return null;
}

function promotionOf(training) {
  const promotion = training?.promotion ?? training?.decision ?? training?.gate;
  if (!promotion) return '';
  // The training run record: decision (Promoted / Rejected / Failed) and the one-sentence reason in message.
  if (typeof promotion === 'string') return training.message ? `${promotion}: ${training.message}` : promotion;
  return [promotion.decision ?? promotion.outcome ?? (promotion.promoted === true ? 'promoted' : promotion.promoted === false ? 'not promoted' : null), promotion.reason]
    .filter(Boolean).join(': ');
}

function renderModelKind(group) {
  const versions = [...(group.versions ?? [])].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
  const activeVersion = group.active?.version;
  const metricNames = [...new Set(versions.flatMap((v) => numericEntries(v.metrics).map(([k]) => k)))];
  const headingId = `models-${group.kind}`;
  const section = h('section', { 'aria-labelledby': headingId, 'data-kind': group.kind },
    h('h3', { id: headingId }, `${group.kind}`),
    h('p', {}, activeVersion
      ? `Active version: ${activeVersion}${group.active.previousVersion ? ` (previously ${group.active.previousVersion})` : ''}, since ${new Date(group.active.activatedAt).toLocaleString('en-GB')}`
      : 'No active version.'));
  if (metricNames.length) {
    const box = chartBox(`Metrics of each ${group.kind} model version (oldest first).`);
    section.append(box.element);
    queueMicrotask(() => versionsChart(box.canvas, versions.map((v) => ({ version: v.version, metrics: Object.fromEntries(numericEntries(v.metrics)) })), metricNames));
  }
  section.append(table(['version', 'created', 'metrics', 'promotion decision', 'drift'], [...versions].reverse().map((v) => [
    h('span', {}, v.version, v.active ? h('strong', { class: 'badge' }, 'active') : null),
    new Date(v.createdAt).toLocaleString('en-GB'),
    numericEntries(v.metrics).map(([k, x]) => `${k} ${formatNumber(x)}`).join(', '),
    promotionOf(v.training),
    numericEntries(findDrift(v.training) ?? findDrift(v.metrics)).map(([k, x]) => `${k} ${formatNumber(x)}`).join(', '),
  ]), `${group.kind} versions`));
  const active = versions.find((v) => v.active);
  const drift = numericEntries(findDrift(active?.training) ?? findDrift(active?.metrics));
  if (drift.length) {
    const box = chartBox('Drift of the active model’s inputs since training (per feature).');
    section.append(box.element);
    queueMicrotask(() => barChart(box.canvas, 'Drift score', drift, { horizontal: true }));
  }
  const training = versions.filter((v) => v.training).at(-1);
  if (training) {
    section.append(h('details', {}, h('summary', {}, `Training record of ${training.version}`), h('pre', {}, JSON.stringify(training.training, null, 2))));
  }
  return section;
}

// ---- Try it ----
/** A one-field lookup form: the trimmed value (ignored when empty) and its URL-encoded form; errors go to the status line. */
function lookupForm(formId, inputId, load) {
  document.getElementById(formId).addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = document.getElementById(inputId).value.trim();
    if (!value) return;
    try {
      await load(value, encodeURIComponent(value));
    } catch (error) {
      failed(error);
    }
  });
}

const userResults = document.getElementById('user-results');
lookupForm('user-form', 'user-id', async (userId, id) => {
  const [recommendations, segment] = await Promise.all([
    api(`/v1/users/${id}/recommendations?k=10`),
    api(`/v1/users/${id}/segment`).catch((error) => ({ error: error.message })),
  ]);
  userResults.replaceChildren(
    h('h3', {}, `Recommended for ${userId}`),
    h('p', { class: 'muted serves' }, `model ${recommendations.modelVersion ?? 'n/a'} · recommendation ${recommendations.recommendationId ?? ''}`),
    itemList(recommendations.recommendations ?? []),
    segmentExplanation(segment));
  announce(`Recommendations for ${userId} loaded.`);
});

function itemList(items) {
  if (!items.length) return h('p', {}, 'No items.');
  return h('ol', { class: 'items' }, items.map((item) => h('li', {},
    h('strong', {}, item.title ?? item.itemId),
    h('span', { class: 'muted' }, ` ${item.itemId}${item.category ? ` · ${item.category}` : ''}${item.price !== undefined && item.price !== null ? ` · £${formatNumber(item.price, 2)}` : ''}`),
    item.score !== undefined ? h('span', { class: 'muted' }, ` · score ${formatNumber(item.score)}`) : null,
    item.lift !== undefined && item.lift !== null ? h('span', { class: 'muted' }, ` · support ${formatNumber(item.support)} · confidence ${formatNumber(item.confidence)} · lift ${formatNumber(item.lift)}`) : null,
    item.reasons?.length ? h('ul', { class: 'reasons' }, item.reasons.map((r) => h('li', {}, typeof r === 'string' ? r : r.text ?? r.code ?? JSON.stringify(r)))) : null)));
}

function segmentExplanation(segment) {
  if (!segment || segment.error) return h('p', { class: 'muted' }, `Segment: ${segment?.error ?? 'not available'}`);
  // The API may wrap the explanation (segment, persona, strategy beside it) or return it flat.
  const e = segment.explanation ?? segment;
  const persona = segment.persona ?? e.persona;
  const features = (e.features ?? []).filter((f) => typeof f.shareOfDistance === 'number');
  const runnerUp = e.runnerUp?.persona ?? e.runnerUpPersona;
  const moves = e.runnerUp?.movesToReach ?? e.movesToRunnerUp ?? [];
  const parts = [
    h('h3', {}, `Segment ${segment.segment ?? e.segment}: ${persona}`),
    h('p', {}, `Confidence ${formatNumber(segment.confidence ?? e.confidence, 2)} (1 = at the segment centre, 0 = on the border)`
      + (runnerUp ? ` · runner-up: ${runnerUp}` : '')),
  ];
  if (segment.strategy ?? e.strategy) parts.push(h('p', {}, segment.strategy ?? e.strategy));
  if (e.isAnomaly) parts.push(h('p', { class: 'band band-weak' }, `Unusual customer: ${e.anomalyDescription ?? 'far from every segment centre'}`));
  if (features.length) {
    const box = chartBox('Share of the distance to the segment centre that each feature contributes (the customer’s z-scores in the table).');
    parts.push(box.element, table(['feature', 'value', 'z-score', 'segment centre (z)'],
      features.map((f) => [f.feature, formatNumber(f.value, 2), formatNumber(f.zScore, 2), formatNumber(f.segmentZ, 2)]), 'Why this segment'));
    queueMicrotask(() => barChart(box.canvas, 'Share of the distance', features.map((f) => [f.feature, f.shareOfDistance]), { horizontal: true }));
  }
  if (moves.length) {
    parts.push(h('p', {}, `What would move them to ${runnerUp}: `
      + moves.map((m) => `${m.feature} ${formatNumber(m.from, 1)} → ${formatNumber(m.to, 1)}`).join('; ')));
  }
  if (e.topProducts?.length) {
    parts.push(h('h4', {}, `Trending in the ${persona} segment`), itemList(e.topProducts));
  }
  return h('section', { class: 'explanation' }, parts);
}

const itemResults = document.getElementById('item-results');
lookupForm('item-form', 'item-id', async (itemId, id) => {
  const [similar, together] = await Promise.all([api(`/v1/items/${id}/similar?k=10`), api(`/v1/items/${id}/bought-together?k=10`)]);
  itemResults.replaceChildren(
    h('h3', {}, `Similar to ${itemId}`), itemList(similar.recommendations ?? []),
    h('h3', {}, `Frequently bought with ${itemId}`), itemList(together.recommendations ?? []));
  announce(`Items for ${itemId} loaded.`);
});

// ---- Experiments ----
const experiments = experimentsPage({
  api, announce, failed, list: document.getElementById('experiments-list'), results: document.getElementById('experiment-results'),
});

// ---- Page tabs ----
const sections = [...document.querySelectorAll('main > section[data-page]')];
const pageTabs = tabs('Dashboard sections', sections.map((section) => ({
  key: section.dataset.page,
  title: section.dataset.title,
  render(panel) { panel.append(section); section.hidden = false; },
})), {
  onShow: (key) => {
    if (!sessionStorage.getItem(keyStorage)) return;
    if (key === 'models') loadModels();
    if (key === 'experiments') experiments.load();
  },
});
document.querySelector('main').prepend(pageTabs.element);

function refreshAll() {
  if (!sessionStorage.getItem(keyStorage)) return;
  loadHistory().catch(failed);
}
refreshAll();
