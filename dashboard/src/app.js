// The SmartShop dashboard: segmentation uploads and results, the model registry, and live recommendations.
// Served by the Functions app at /api/dashboard/; the API lives beside it under /api/v1 and needs a function key.
import { analysisView, unwrapAnalysis } from './analysis-view.js';
import { barChart, formatNumber, versionsChart } from './charts.js';
import { chartBox, h, table, tabs } from './dom.js';

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
  if (!key) throw new ApiError('Enter the function key first (Settings above).');
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
  const analysis = unwrapAnalysis(json);
  results.replaceChildren(
    h('h3', {}, heading),
    h('p', { class: 'muted' }, `${formatNumber(analysis.input?.customers)} customers · k = ${analysis.metrics?.k} · ${analysis.parameters?.algorithm ?? ''}`),
    analysisView(json).element);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForAnalysis(accepted) {
  const location = accepted.response.headers.get('Location') ?? accepted.body.statusUrl ?? accepted.body.location;
  if (!location) throw new ApiError('The server accepted the analysis but gave no status URL.');
  const path = new URL(location, window.location.href).pathname.replace(apiRoot, '');
  for (let attempt = 1; attempt <= 600; attempt++) {
    progress.querySelector('span').textContent = `Running… (checked ${attempt} time${attempt === 1 ? '' : 's'})`;
    await sleep(Math.min(1000, 200 * attempt));
    const answer = await api(path);
    if (answer && !answer.accepted && (answer.analysis || answer.metrics)) return answer;
    if (answer?.body?.status === 'failed' || answer?.status === 'failed') throw new ApiError(`The analysis failed: ${answer.body?.error ?? answer.error ?? 'no reason given'}`);
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
    showAnalysis(answer, `Analysis of ${chosenFile.name}`);
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
    showAnalysis(await api('/v1/segments'), 'Active segmentation model');
  } catch (error) {
    failed(error);
  }
}
document.getElementById('show-active').addEventListener('click', loadActiveSegments);

const history = document.getElementById('history');
async function loadHistory() {
  const page = await api('/v1/segmentation/analyses');
  const items = page?.items ?? page?.analyses ?? (Array.isArray(page) ? page : []);
  if (!items.length) {
    history.replaceChildren(h('p', { class: 'muted' }, 'No stored analyses yet.'));
    return;
  }
  history.replaceChildren(table(['analysis', 'created', 'customers', 'k', 'silhouette', ''], items.map((a) => [
    a.source ?? a.id,
    a.createdUtc ? new Date(a.createdUtc).toLocaleString('en-GB') : '',
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
    showAnalysis(await api(`/v1/segmentation/analyses/${encodeURIComponent(id)}`), `Analysis ${id}`);
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

function renderModels(registry) {
  const versions = [...(registry.versions ?? registry.items ?? [])].sort((a, b) => String(a.version).localeCompare(String(b.version)));
  const active = registry.active ?? registry.activeVersion ?? versions.find((v) => v.isActive)?.version;
  const metricNames = [...new Set(versions.flatMap((v) => Object.keys(v.metrics ?? {})))];
  const parts = [h('p', {}, active ? `Active version: ${active}` : 'No active version.')];
  if (metricNames.length) {
    const box = chartBox('Offline metrics per model version (oldest first).');
    parts.push(box.element);
    queueMicrotask(() => versionsChart(box.canvas, versions, metricNames));
  }
  parts.push(table(['version', 'created', 'metrics', 'promotion', 'drift'], [...versions].reverse().map((v) => [
    h('span', {}, String(v.version), v.version === active || v.isActive ? h('strong', { class: 'badge' }, 'active') : null),
    v.createdUtc ?? v.created ?? '',
    Object.entries(v.metrics ?? {}).map(([k, x]) => `${k} ${formatNumber(x)}`).join(', '),
    describePromotion(v.promotion ?? v.decision),
    Object.entries(v.drift ?? {}).map(([k, x]) => `${k} ${formatNumber(x)}`).join(', '),
  ]), 'Model versions'));
  const drift = registry.drift ?? versions.find((v) => v.version === active)?.drift;
  if (drift && Object.keys(drift).length) {
    const box = chartBox('Drift of the active model’s inputs (population stability index per feature; > 0.2 is a large shift).');
    parts.push(box.element);
    queueMicrotask(() => barChart(box.canvas, 'Drift score', Object.entries(drift).filter(([, x]) => typeof x === 'number'), true));
  }
  if (registry.training) {
    parts.push(h('section', { 'aria-labelledby': 'training-heading' }, h('h3', { id: 'training-heading' }, 'Training'),
      h('pre', {}, JSON.stringify(registry.training, null, 2))));
  }
  modelsPanel.replaceChildren(...parts);
}

function describePromotion(promotion) {
  if (!promotion) return '';
  if (typeof promotion === 'string') return promotion;
  return [promotion.decision ?? promotion.outcome, promotion.reason].filter(Boolean).join(': ');
}

// ---- Try it ----
const userResults = document.getElementById('user-results');
document.getElementById('user-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const userId = document.getElementById('user-id').value.trim();
  if (!userId) return;
  try {
    const id = encodeURIComponent(userId);
    const [recommendations, segment] = await Promise.all([
      api(`/v1/users/${id}/recommendations?k=10`),
      api(`/v1/users/${id}/segment`).catch((error) => ({ error: error.message })),
    ]);
    userResults.replaceChildren(
      h('h3', {}, `Recommended for ${userId}`),
      h('p', { class: 'muted' }, `model ${recommendations.modelVersion ?? 'n/a'} · recommendation ${recommendations.recommendationId ?? ''}`),
      itemList(recommendations.recommendations ?? []),
      segmentExplanation(segment));
    announce(`Recommendations for ${userId} loaded.`);
  } catch (error) {
    failed(error);
  }
});

function itemList(items) {
  if (!items.length) return h('p', {}, 'No items.');
  return h('ol', { class: 'items' }, items.map((item) => h('li', {},
    h('strong', {}, item.title ?? item.itemId),
    h('span', { class: 'muted' }, ` ${item.itemId}${item.category ? ` · ${item.category}` : ''}${item.price !== undefined && item.price !== null ? ` · £${formatNumber(item.price, 2)}` : ''}`),
    item.score !== undefined ? h('span', { class: 'muted' }, ` · score ${formatNumber(item.score)}`) : null,
    item.reasons?.length ? h('ul', { class: 'reasons' }, item.reasons.map((r) => h('li', {}, typeof r === 'string' ? r : r.text ?? r.code ?? JSON.stringify(r)))) : null,
    item.lift !== undefined ? h('span', { class: 'muted' }, ` · support ${formatNumber(item.support)} · confidence ${formatNumber(item.confidence)} · lift ${formatNumber(item.lift)}`) : null)));
}

function segmentExplanation(segment) {
  if (!segment || segment.error) return h('p', { class: 'muted' }, `Segment: ${segment?.error ?? 'not available'}`);
  const explanation = segment.explanation ?? segment;
  const contributions = explanation.contributions ?? explanation.features ?? [];
  const entries = (Array.isArray(contributions) ? contributions : Object.entries(contributions).map(([feature, share]) => ({ feature, share })))
    .map((c) => [c.feature ?? c.name, c.share ?? c.contribution ?? c.value])
    .filter(([, v]) => typeof v === 'number');
  const parts = [
    h('h3', {}, `Segment: ${segment.persona ?? explanation.persona ?? ''} (${segment.segment ?? explanation.segment ?? ''})`),
    h('p', {}, `Confidence ${formatNumber(segment.confidence ?? explanation.confidence)}${(segment.isAnomaly ?? explanation.isAnomaly) ? ' · unusual customer' : ''}`),
  ];
  if (segment.strategy ?? explanation.strategy) parts.push(h('p', {}, segment.strategy ?? explanation.strategy));
  if (entries.length) {
    const box = chartBox('Share of the distance to the segment centre that each feature contributes.');
    parts.push(box.element);
    queueMicrotask(() => barChart(box.canvas, 'Contribution to the distance', entries, true));
  }
  return h('section', { class: 'explanation' }, parts);
}

const itemResults = document.getElementById('item-results');
document.getElementById('item-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const itemId = document.getElementById('item-id').value.trim();
  if (!itemId) return;
  try {
    const id = encodeURIComponent(itemId);
    const [similar, together] = await Promise.all([api(`/v1/items/${id}/similar?k=10`), api(`/v1/items/${id}/bought-together?k=10`)]);
    itemResults.replaceChildren(
      h('h3', {}, `Similar to ${itemId}`), itemList(similar.items ?? similar.recommendations ?? []),
      h('h3', {}, `Frequently bought with ${itemId}`), itemList(together.items ?? together.recommendations ?? []));
    announce(`Items for ${itemId} loaded.`);
  } catch (error) {
    failed(error);
  }
});

// ---- Page tabs ----
const sections = [...document.querySelectorAll('main > section[data-page]')];
const pageTabs = tabs('Dashboard sections', sections.map((section) => ({
  key: section.dataset.page,
  title: section.dataset.title,
  render(panel) { panel.append(section); section.hidden = false; },
})), { onShow: (key) => { if (key === 'models' && sessionStorage.getItem(keyStorage)) loadModels(); } });
document.querySelector('main').prepend(pageTabs.element);

function refreshAll() {
  if (!sessionStorage.getItem(keyStorage)) return;
  loadHistory().catch(failed);
}
refreshAll();
