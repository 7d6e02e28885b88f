// Writes the npm package's package.json and README.md into the folder given (scripts/package.sh):
// name, version, description and license come from Cargo.toml, so the crate and the package
// never disagree.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2];
const cargo = readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8');
const field = (name) => {
  const m = cargo.match(new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, 'm'));
  if (!m) throw new Error(`Cargo.toml has no ${name}`);
  return m[1];
};
const files = readdirSync(out).filter((f) => f !== 'package.json' && f !== 'README.md').sort();
const pkg = {
  name: field('name'),
  version: field('version'),
  description: field('description'),
  license: field('license'),
  type: 'module',
  main: './element.js',
  exports: {
    '.': './element.js',
    './element.js': './element.js',
    './element.css': './element.css',
    './embed.html': './embed.html',
    './index.html': './index.html',
    './models/*': './models/*',
    './*': './*',
  },
  files: [...files, 'README.md'],
  keywords: ['flow-matching', 'diffusion', 'webgpu', 'wasm', 'web-component', 'visualization'],
  sideEffects: ['./element.js'],
};
writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
writeFileSync(path.join(out, 'README.md'), `# ${pkg.name}

${pkg.description}: the \`<flow-playground>\` element, its worker, both compute modules (CPU and
WebGPU, Rust compiled to WebAssembly) and the pretrained models, as plain ES modules. No bundler
is needed; serve \`node_modules/${pkg.name}/\` as static files (the element finds its worker,
modules and models beside itself).

\`\`\`html
<script type="module" src="/node_modules/${pkg.name}/element.js"></script>

<flow-playground dataset="moons" solver="euler" nfe="8" layers="data,particles,trails"></flow-playground>
\`\`\`

With a bundler, \`import '${pkg.name}';\` defines the element; copy the package's files beside the
bundle so that the worker, \`pkg/\`, \`pkg-gpu/\` and \`models/\` resolve. \`embed.html\` is the same
figure for an iframe (parameters in the hash) and \`index.html\` the full playground.

Every attribute, the iframe parameters and the events are documented in the project's README.
License: ${pkg.license}.
`);
console.log(`${pkg.name}@${pkg.version}: ${files.length} entries`);
