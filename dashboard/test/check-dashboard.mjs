// Drives the dashboard in Debian's chromium against a server that answers the API with recorded responses.
// usage: node dashboard/test/check-dashboard.mjs <config.json>
//   config: { url, functionKey, csv, algorithm, linkage, k, analysisId, userId, itemId, screenshots,
//             experiments: { running, stopped, planned, verdict, sampleRatioMismatch, variants: [{ name, impressions }], daily } }
//   experiments.daily: 'present', 'empty' or 'absent' (the recorded results have no daily field: that check is skipped)
// Prints one JSON line (charts seen per view, requests made); exits 1 with the reason on any failure.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assert, canvasInk, launch, watchErrors } from './browser.mjs';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
mkdirSync(config.screenshots, { recursive: true });
const shot = (page, name) => page.screenshot({ path: join(config.screenshots, `${name}.png`), fullPage: true });
const charts = [];

async function expectCharts(page, scope, view, minimum) {
  const seen = await canvasInk(page, scope);
  assert(seen.length >= minimum, `${view}: expected at least ${minimum} chart(s), found ${seen.length}`);
  for (const chart of seen) {
    assert(chart.width > 0 && chart.height > 0, `${view}: chart '${chart.label}' has no size`);
    assert(chart.ink > 200, `${view}: chart '${chart.label}' is empty (${chart.ink} drawn pixels)`);
    assert(chart.points > 0, `${view}: chart '${chart.label}' plots no data`);
    charts.push({ view, ...chart });
  }
}

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = watchErrors(page);
  const requests = [];
  page.on('request', (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  const dialogs = [];
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.accept(); });

  await page.goto(`${config.url}/api/dashboard/`);
  await page.waitForSelector('[role=tab][data-tab=segmentation][aria-selected=true]');
  await shot(page, '01-start');

  // The key: typed into the labelled password field.
  await page.getByLabel('Function key').fill(config.functionKey);
  await page.getByRole('button', { name: 'Use key' }).click();
  await page.waitForSelector('#history table');

  // Drag and drop onto the zone picks the file up…
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.items.add(new File(['InvoiceNo\n'], 'dropped.csv', { type: 'text/csv' }));
    document.getElementById('drop-zone').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  assert((await page.textContent('#file-name')).startsWith('dropped.csv'), 'a file dropped on the drop zone was not taken');

  // …then the real upload with the analysis parameters; the results appear in tabs.
  await page.getByLabel(/Transactions CSV/).setInputFiles(config.csv);
  await page.getByLabel('Number of segments').selectOption(config.k === 'auto' ? 'auto' : 'fixed');
  if (config.k !== 'auto') await page.getByLabel('k', { exact: true }).fill(String(config.k));
  await page.getByLabel('Algorithm').selectOption(config.algorithm);
  if (config.linkage) await page.getByLabel('Linkage').selectOption(config.linkage);
  await page.getByRole('button', { name: 'Analyse' }).click();
  await page.waitForSelector('#segment-results [role=tablist]', { timeout: 60000 });
  const resultTabs = await page.$$eval('#segment-results [role=tab]', (tabs) => tabs.map((t) => t.dataset.tab));
  for (const name of ['elbow', 'metrics', 'pca', 'radar', 'sizes', 'personas']) {
    assert(resultTabs.includes(name), `the analysis results lack the ${name} tab (tabs: ${resultTabs.join(', ')})`);
  }
  if (config.algorithm === 'hierarchical') assert(resultTabs.includes('dendrogram'), 'a hierarchical analysis shows no dendrogram tab');
  for (const name of resultTabs) {
    await page.click(`#segment-results [role=tab][data-tab=${name}]`);
    const panel = `#segment-results [role=tabpanel][data-panel=${name}]:not([hidden])`;
    await page.waitForSelector(panel);
    if (['elbow', 'pca', 'radar', 'sizes', 'dendrogram'].includes(name)) await expectCharts(page, panel, `analysis ${name}`, 1);
    await shot(page, `02-analysis-${name}`);
  }
  const band = await page.$eval('#segment-results [data-band]', (e) => e.dataset.band);
  const personas = await page.$$eval('#segment-results .card h4', (cards) => cards.map((c) => c.textContent));
  assert(personas.length > 0, 'no persona cards');

  // Keyboard: arrow keys move between the page tabs.
  await page.focus('[role=tab][data-tab=segmentation]');
  await page.keyboard.press('ArrowRight');
  assert(await page.$('[role=tab][data-tab=models][aria-selected=true]'), 'ArrowRight on the Segmentation tab did not select Models');
  await page.waitForSelector('#models-content table', { timeout: 15000 });
  await expectCharts(page, '#models-content', 'models', 1);
  const modelRows = await page.$$eval('#models-content table tbody tr', (rows) => rows.length);
  // The recommendations versions the training runner published: one promoted (the active one), one rejected.
  const recommendations = '#models-content section[data-kind=recommendations]';
  const versions = await page.$$eval(`${recommendations} table tbody tr`, (rows) => rows.map((row) => {
    const cells = [...row.cells];
    return { version: cells[0].querySelector('span').firstChild.textContent, active: !!cells[0].querySelector('.badge'), decision: cells[3].textContent, drift: cells[4].textContent };
  }));
  const promoted = versions.filter((v) => v.decision.startsWith('promoted'));
  const rejected = versions.filter((v) => v.decision.startsWith('rejected'));
  assert(promoted.length > 0 && rejected.length > 0, `the models table lacks a promoted and a rejected version: ${JSON.stringify(versions)}`);
  const active = versions.filter((v) => v.active);
  assert(active.length === 1 && promoted.some((v) => v.version === active[0].version), `the promoted version is not the one marked active: ${JSON.stringify(versions)}`);
  assert(rejected.every((v) => !v.active), 'a rejected version is marked active');
  assert((await page.textContent(recommendations)).includes(`Active version: ${active[0].version}`), 'the models tab does not name the active version');
  assert(/\d/.test(active[0].drift), `the active version's drift scores are not shown: ${JSON.stringify(active[0])}`);
  await expectCharts(page, `${recommendations} figure:has(canvas[aria-label^="Drift score"])`, 'models drift', 1);
  await shot(page, '03-models');

  await page.keyboard.press('ArrowRight');
  assert(await page.$('[role=tab][data-tab=try][aria-selected=true]'), 'ArrowRight on the Models tab did not select Try it');
  await page.getByLabel('Customer id').fill(config.userId);
  await page.getByRole('button', { name: 'Recommend' }).click();
  await page.waitForSelector('#user-results ol.items li');
  const recommended = await page.$$eval('#user-results ol.items > li', (items) => items.length);
  const reasons = await page.$$eval('#user-results .reasons li', (items) => items.length);
  await page.waitForSelector('#user-results .explanation');
  await expectCharts(page, '#user-results', 'try-it segment', 1);
  await shot(page, '04-try-user');
  await page.getByLabel('Item (stock code)').fill(config.itemId);
  await page.getByRole('button', { name: 'Similar and bought together' }).click();
  await page.waitForSelector('#item-results ol.items li');
  const itemLists = await page.$$eval('#item-results ol.items', (lists) => lists.map((l) => l.children.length));
  await shot(page, '05-try-item');

  // History: view and delete a stored analysis.
  await page.keyboard.press('Home');
  await page.click('[role=tab][data-tab=segmentation]');
  const historyRows = await page.$$eval('#history table tbody tr', (rows) => rows.length);
  assert(historyRows > 0, 'the history lists no analysis');
  await page.getByRole('button', { name: `View analysis ${config.analysisId}` }).click();
  await page.waitForFunction((id) => document.querySelector('#segment-results h3')?.textContent.includes('online-retail-sample.csv'), config.analysisId);
  await page.getByRole('button', { name: `Delete analysis ${config.analysisId}` }).click();
  await page.waitForFunction(() => /deleted/.test(document.getElementById('status').textContent));

  // Experiments: every status in the list, the running one's results (verdict, tables, CTR chart), then its stop.
  const x = config.experiments;
  await page.click('[role=tab][data-tab=experiments]');
  await page.waitForSelector('#experiments-list table');
  const row = (id) => `#experiments-list tbody tr:has([data-experiment="${id}"])`;
  const statuses = {};
  for (const [id, expected] of [[x.running, 'running'], [x.stopped, 'stopped'], [x.planned, 'planned']]) {
    assert(await page.$(row(id)), `the experiments table does not list ${id}`);
    statuses[id] = await page.$eval(`${row(id)} [data-status]`, (e) => e.dataset.status);
    assert(statuses[id] === expected, `experiment ${id} is shown as ${statuses[id]}, expected ${expected}`);
    const stoppable = (await page.$$(`${row(id)} button.danger`)).length > 0;
    assert(stoppable === (expected === 'running'), `experiment ${id} (${expected}) ${stoppable ? 'has' : 'lacks'} a Stop button`);
  }
  const listed = await page.textContent(row(x.running));
  for (const text of [...x.variants.map((v) => v.name), 'weight 1', '50 %', 'popular (built-in)', 'model ', 'CTR', 'revenue per 1,000 impressions']) {
    assert(listed.includes(text), `the row of ${x.running} does not show '${text}': ${listed}`);
  }
  await shot(page, '07-experiments');
  await page.getByRole('button', { name: `Results of experiment ${x.running}` }).click();
  await page.waitForSelector('#experiment-results [data-verdict]');
  const verdict = await page.textContent('#experiment-results [data-verdict]');
  assert(verdict === x.verdict, `the verdict shown is not the API's: '${verdict}' vs '${x.verdict}'`);
  const srm = await page.$eval('#experiment-results [data-srm]', (e) => e.dataset.srm);
  assert(srm === (x.sampleRatioMismatch ? 'mismatch' : 'ok'), `the sample-ratio state shown is ${srm}, the API says mismatch = ${x.sampleRatioMismatch}`);
  const variantRows = await page.$$eval('#experiment-results [data-table=variants] tbody tr', (rows) => rows.map((r) => ({ name: r.cells[0].textContent, impressions: Number(r.cells[2].textContent.replace(/,/g, '')), ctr: r.cells[8].textContent })));
  assert(variantRows.length === x.variants.length && variantRows.every((r, i) => r.name.startsWith(x.variants[i].name) && r.impressions === x.variants[i].impressions && /%.*to.*%/.test(r.ctr)),
    `the variants table does not match the results: ${JSON.stringify(variantRows)} vs ${JSON.stringify(x.variants)}`);
  assert(variantRows[0].name.endsWith('(control)'), 'the first variant is not marked as the control');
  const versus = await page.$$eval('#experiment-results [data-table=versus] tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert(versus.length === 3 * (x.variants.length - 1) && versus.every((cells) => /^p [=<]/.test(cells[5])), `the versus-control tables lack a metric or a p-value: ${JSON.stringify(versus)}`);
  await expectCharts(page, '#experiment-results figure[data-chart=ctr]', 'experiments ctr', 1);
  let daily;
  if (x.daily === 'present') {
    await expectCharts(page, '#experiment-results figure[data-chart=daily-ctr]', 'experiments daily ctr', 1);
    await expectCharts(page, '#experiment-results figure[data-chart=daily-revenue]', 'experiments daily revenue', 1);
    daily = 'checked: the daily CTR and cumulative revenue charts draw the recorded daily rows';
  } else if (x.daily === 'empty') {
    assert(await page.$('#experiment-results [data-daily=none]'), 'empty daily figures, but no sentence saying there are no charts over time');
    daily = 'checked: the recorded daily array is empty and the page says there are no charts over time';
  } else {
    daily = 'skipped: the recorded results have no daily field';
  }
  assert((await page.textContent('#experiment-results')).includes('peeking'), 'the results lack the how-to-read paragraph');
  await shot(page, '08-experiment-results');
  await page.getByRole('button', { name: `Stop experiment ${x.running}` }).click();
  await page.waitForFunction((id) => document.getElementById('status').textContent === `Experiment ${id} stopped.`, x.running);
  assert(dialogs.some((d) => d.includes(`Stop experiment ${x.running}`)), `no confirmation was asked before stopping: ${JSON.stringify(dialogs)}`);

  // Narrow screen: every page tab reflows without horizontal scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const tab of ['segmentation', 'models', 'try', 'experiments']) {
    await page.click(`[role=tab][data-tab=${tab}]`);
    // Charts resize on their ResizeObserver callback: give the layout a moment to settle before measuring.
    await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth + 1, null, { timeout: 3000 }).catch(() => {});
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await shot(page, `06-narrow-${tab}`);
    const widest = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.parentElement.closest('.table-wrap'))
      .slice(0, 8).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${e.className}` : ''}`));
    assert(overflow <= 1, `the ${tab} tab scrolls horizontally by ${overflow}px at 390px width (${widest.join(', ')})`);
  }

  // Accessibility basics: every form control has a label, every chart a text alternative.
  const unlabelled = await page.$$eval('input, select, textarea', (controls) => controls
    .filter((c) => c.labels.length === 0 && !c.getAttribute('aria-label')).map((c) => c.id || c.name || c.outerHTML));
  assert(unlabelled.length === 0, `form controls without a label: ${unlabelled.join(', ')}`);
  const undescribed = await page.$$eval('canvas', (canvases) => canvases.filter((c) => c.getAttribute('role') !== 'img' || !c.getAttribute('aria-label')).length);
  assert(undescribed === 0, `${undescribed} chart(s) without role=img and an aria-label`);

  const statusText = await page.$eval('#status', (e) => e.textContent);
  assert(!(await page.$('#status.error')), `the page reported an error: ${statusText}`);
  assert(errors.length === 0, `errors in the page:\n${errors.join('\n')}`);
  console.log(JSON.stringify({ charts, band, personas, modelRows, versions, recommended, reasons, itemLists, historyRows, statuses, variantRows, daily, dialogs, requests }));
} finally {
  await browser.close();
}
