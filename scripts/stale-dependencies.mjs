// Whether a checkout's node_modules matches its package-lock.json (used by
// ensure-built.mjs before anything is installed: Node's own modules only).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Why node_modules must be (re)installed, or '' when it matches package-lock.json.
 * npm records what it installed in node_modules/.package-lock.json; every
 * package the lock file requires must be there at the locked version (optional
 * ones, such as other platforms' binaries, may be missing).
 */
export function staleDependencies(root) {
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return 'nothing installed by npm yet';
  const lockFile = path.join(root, 'package-lock.json');
  if (!existsSync(lockFile)) return '';
  const wanted = readPackages(lockFile);
  const have = readPackages(installed);
  if (wanted === undefined) return '';
  if (have === undefined) return 'node_modules/.package-lock.json is unreadable';
  for (const [where, pkg] of Object.entries(wanted)) {
    if (where === '' || pkg.link) continue;
    if (have[where] === undefined) {
      if (pkg.optional) continue;
      return `${where} is missing`;
    }
    if (have[where].version !== pkg.version) return `${where} is ${have[where].version}, package-lock.json says ${pkg.version}`;
  }
  return '';
}

/** The `packages` map of an npm lock file, or undefined when the file is not one. */
function readPackages(file) {
  try {
    const packages = JSON.parse(readFileSync(file, 'utf8')).packages;
    return packages !== null && typeof packages === 'object' ? packages : undefined;
  } catch {
    return undefined;
  }
}
