// Bundles the dashboard page and the HTML report renderer (Chart.js included) into dashboard/dist/.
// Run through `npm run build:dashboard`; SmartShop.Core's build calls it when a source is newer than the output.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
await mkdir(dist, { recursive: true });

const common = {
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2022'],
  legalComments: 'eof',
  logLevel: 'warning',
};
await build({ ...common, entryPoints: [join(root, 'src/app.js')], outfile: join(dist, 'app.js') });
await build({ ...common, entryPoints: [join(root, 'src/report.js')], outfile: join(dist, 'report.js') });
await copyFile(join(root, 'src/index.html'), join(dist, 'index.html'));
await copyFile(join(root, 'src/app.css'), join(dist, 'app.css'));
