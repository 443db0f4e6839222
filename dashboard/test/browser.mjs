// Shared by the browser checks: Debian's chromium driven by playwright-core (no browser download), and canvas checks.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.SMARTSHOP_CHROMIUM ?? '/usr/bin/chromium';

export async function launch() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install it with 'sudo apt-get install -y chromium' (or set SMARTSHOP_CHROMIUM).`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Console errors, page errors and failed requests: any of them fails a check. */
export function watchErrors(page) {
  const errors = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()}`); });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  return errors;
}

/**
 * For every visible canvas under `selector`: its size, how many pixels are not transparent and not white (a chart
 * that drew nothing has none), and how many values the chart plots (set by the page's chart code; axes alone are ink).
 */
export function canvasInk(page, selector) {
  return page.$$eval(`${selector} canvas`, (canvases) => canvases.filter((c) => c.offsetParent !== null).map((canvas) => {
    const context = canvas.getContext('2d');
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && !(data[i] > 245 && data[i + 1] > 245 && data[i + 2] > 245)) ink++;
    }
    return { label: canvas.getAttribute('aria-label') ?? '', width: canvas.width, height: canvas.height, ink, points: Number(canvas.dataset.points ?? 0) };
  }));
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
