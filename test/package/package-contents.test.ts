/**
 * What a user gets: the files `npm pack` puts in the package (what the
 * registry, a release tarball and a git dependency all install), and loading
 * the package the two ways callers do (import and CommonJS require).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  license: string;
  engines: { node: string };
  scripts: Record<string, string>;
};

/** npm's own CLI when running under npm, else npm from PATH. */
function npm(args: string[]): string {
  const cli = process.env.npm_execpath;
  if (cli && /\.[cm]?js$/.test(cli)) return execFileSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });
  return execFileSync('npm', args, { cwd: root, encoding: 'utf8', shell: process.platform === 'win32' });
}

let packed: string[] = [];

beforeAll(() => {
  // --ignore-scripts: list what is there without rebuilding dist/ under other tests' feet.
  const out = npm(['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error']);
  packed = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}, 120_000);

describe('the packed package', () => {
  it('carries the MIT license text that package.json names', () => {
    expect(pkg.license).toBe('MIT');
    expect(packed).toContain('LICENSE');
    const text = readFileSync(path.join(root, 'LICENSE'), 'utf8');
    expect(text).toMatch(/^MIT License/);
    expect(text).toContain('the mfrec authors');
  });

  it('carries every document in docs/, and every docs/ page README.md or a doc links to', () => {
    const docs = readdirSync(path.join(root, 'docs')).map((f) => `docs/${f}`);
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) expect(packed).toContain(d);
    for (const file of ['README.md', ...docs.filter((d) => d.endsWith('.md'))]) {
      const text = readFileSync(path.join(root, file), 'utf8');
      const mentioned = [...text.matchAll(/\bdocs\/[\w-]+\.md\b/g)].map((m) => m[0]);
      if (file !== 'README.md') mentioned.push(...[...text.matchAll(/\]\(([\w-]+\.md)\)/g)].map((m) => `docs/${m[1]}`));
      for (const target of mentioned) expect(packed, `${file} points at ${target}`).toContain(target);
    }
  });

  it('carries the compiled entry point, its types, the CLI and the demo data', () => {
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'bin/mfrec.js', 'data/online-retail-purchases.csv.gz', 'README.md']) {
      expect(packed).toContain(f);
    }
  });

  it('carries the storefront page that mfrec serve --demo reads at run time', () => {
    const page = readdirSync(path.join(root, 'lib', 'serve', 'demo', 'public')).map((f) => `lib/serve/demo/public/${f}`);
    expect(page).toEqual(expect.arrayContaining(['lib/serve/demo/public/index.html', 'lib/serve/demo/public/storefront.js']));
    for (const f of page) expect(packed).toContain(f);
    expect(packed).toContain('dist/serve/demo/storefront-routes.js');
  });

  it('builds dist/ in prepare, the one script npm runs when it packs a git dependency', () => {
    // dist/ is not in git: a git dependency has it only if prepare builds it.
    expect(pkg.scripts.prepare).toMatch(/\bbuild:ts\b|\btsc\b/);
  });
});

describe('loading the package', () => {
  it('works with import() from an ES module', () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(root)} + '/dist/index.js'); console.log(typeof m.ImplicitALS)`],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('function');
  });

  it('works with require() from CommonJS on the Node versions package.json allows (no top-level await in the graph)', () => {
    // engines allows only Node versions where require() of an ES module needs no flag.
    expect(pkg.engines.node).toBe('^20.19.0 || >=22.12.0');
    const out = execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(root)}); console.log(typeof m.ImplicitALS, typeof m.MfrecError)`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out.trim()).toBe('function function');
  });
});
