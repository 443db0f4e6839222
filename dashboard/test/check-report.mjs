// Opens an HTML report written by `smartshop report` from file:// and checks that every chart tab renders.
// usage: node dashboard/test/check-report.mjs <report.html> <screenshot-dir>
// Prints one JSON line with the charts seen; exits 1 with the reason on any failure.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assert, canvasInk, launch, watchErrors } from './browser.mjs';

const [reportPath, screenshots = 'artifacts/dashboard'] = process.argv.slice(2);
mkdirSync(screenshots, { recursive: true });
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = watchErrors(page);
  const requests = [];
  page.on('request', (request) => { if (!request.url().startsWith('file:')) requests.push(request.url()); });
  await page.goto(pathToFileURL(resolve(reportPath)).href);
  await page.waitForSelector('#report [role=tab], #report canvas');
  const charts = [];
  const tabs = await page.$$('#report [role=tab]');
  assert(tabs.length > 0 || (await page.$('#report canvas')), 'the report shows no tabs and no charts');
  for (const tab of tabs) {
    const name = await tab.getAttribute('data-tab');
    await tab.click();
    const seen = await canvasInk(page, '#report [role=tabpanel]:not([hidden])');
    for (const chart of seen) {
      assert(chart.ink > 200, `the ${name} chart (${chart.label}) is empty: ${chart.ink} drawn pixels`);
      assert(chart.points > 0, `the ${name} chart (${chart.label}) plots no data`);
      charts.push({ tab: name, ...chart });
    }
    await page.screenshot({ path: join(screenshots, `report-${name}.png`), fullPage: true });
  }
  for (const chart of await canvasInk(page, '#report > section')) {
    assert(chart.ink > 200 && chart.points > 0, `a training chart (${chart.label}) is empty`);
    charts.push({ tab: 'training', ...chart });
  }
  assert(charts.length > 0, 'the report drew no chart');
  assert(requests.length === 0, `the report made network requests: ${requests.join(', ')}`);
  assert(errors.length === 0, `errors in the page:\n${errors.join('\n')}`);
  console.log(JSON.stringify({ charts }));
} finally {
  await browser.close();
}
