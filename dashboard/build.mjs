// Bundles the dashboard page and the HTML report renderer (Chart.js included) into dashboard/dist/ (committed, so the
// .NET build never needs Node.js). Run through `npm run build:dashboard` after changing dashboard/src; DASHBOARD_OUT
// writes elsewhere (the test that checks the committed bundle is current uses it).
import { build } from 'esbuild';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = process.env.DASHBOARD_OUT ?? join(root, 'dist');
await mkdir(dist, { recursive: true });

await build({
  entryPoints: [join(root, 'src/app.js'), join(root, 'src/report.js')],
  outdir: dist,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  legalComments: 'eof',
  logLevel: 'warning',
});
