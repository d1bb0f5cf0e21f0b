/**
 * `mfrec serve --rules FILE`: business rules as a JSON file, the spec
 * compileRules takes (docs/rules.md), e.g.
 * `{"allowed": ["85123A", ...], "categoryCaps": {"default": 2}, "diversity": {"lambda": 0.7}}`.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { RankingRulesSpec } from '../models/base/ranking-rules.js';
import { readTextFile } from '../persist/read-text-file.js';

/** A rules file is a list of ids at most: 64 MiB is far past any catalogue's. */
const MAX_RULES_BYTES = 64 * 1024 * 1024;

export async function readRulesFile(file: string): Promise<RankingRulesSpec> {
  const text = await readTextFile(file, 'the rules file', MAX_RULES_BYTES);
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new MfrecError(ErrorCodes.PARSE, `--rules ${file}: not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--rules ${file}: expected a JSON object such as {"allowed": [...], "categoryCaps": {"default": 2}}`);
  }
  return spec as RankingRulesSpec;
}
