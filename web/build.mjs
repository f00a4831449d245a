// Builds the dashboard's static assets with esbuild: src/main.jsx and its
// imports (preact, echarts, cytoscape) bundled into one script and one
// stylesheet, plus index.html. Run by web/CMakeLists.txt:
//   node build.mjs --outdir DIR [--node-modules DIR] [--no-minify]
// --node-modules says where `npm ci` put the packages when that is not
// web/node_modules (the CMake build keeps them in the build tree).
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  if (i + 1 >= process.argv.length) {
    console.error(`build.mjs: ${name} needs a value`);
    process.exit(2);
  }
  return process.argv[i + 1];
}

const outdir = path.resolve(arg('--outdir', path.join(here, 'dist')));
const nodeModules = arg('--node-modules', null);
const minify = !process.argv.includes('--no-minify'); // --no-minify: readable stack traces

// esbuild itself comes from the same node_modules as the packages it bundles.
const req = createRequire(nodeModules ? path.join(path.resolve(nodeModules), '..', 'package.json') : import.meta.url);
let esbuildPath;
try {
  esbuildPath = req.resolve('esbuild');
} catch {
  console.error(`build.mjs: esbuild is not installed${nodeModules ? ` in ${nodeModules}` : ''}; run npm ci first`);
  process.exit(2);
}
const { build } = await import(pathToFileURL(esbuildPath).href);

await rm(path.join(outdir, 'assets'), { recursive: true, force: true });
await mkdir(path.join(outdir, 'assets'), { recursive: true });

try {
  await build({
    entryPoints: { app: path.join(here, 'src', 'main.jsx') },
    outdir: path.join(outdir, 'assets'),
    bundle: true,
    minify,
    sourcemap: false,
    format: 'esm',
    splitting: true,
    chunkNames: 'chunk-[hash]',
    target: ['chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    nodePaths: nodeModules ? [path.resolve(nodeModules)] : [],
    legalComments: 'linked',
    logLevel: 'warning',
  });
} catch (e) {
  // esbuild has already printed the errors with file and line.
  process.exit(1);
}
await copyFile(path.join(here, 'index.html'), path.join(outdir, 'index.html'));
console.log(`dashboard built in ${outdir}`);
