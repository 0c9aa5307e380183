// Shared by this package's tests: where the upstream rules and corpora live (../shared beside
// the repository, read as they are, never copied in) and a loaded engine over them.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AttackCatalog } from './attack-catalog.js';
import { TtpEngine } from './engine.js';
import { loadRuleDirectory, RULE_FILE_PATTERN, type RuleLoadReport } from './rule-loader.js';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Upstream's 59 rule files. */
export const UPSTREAM_RULES_DIR = fileURLToPath(new URL('../../../../shared/upstream-data/ttp-rules', import.meta.url));
/** Upstream's precision corpora. */
export const UPSTREAM_CORPUS_DIR = fileURLToPath(new URL('../../../../shared/upstream-data/ttp-corpus', import.meta.url));

/** Rule file names in {@link UPSTREAM_RULES_DIR}. */
export function upstreamRuleFiles(): string[] {
  return readdirSync(UPSTREAM_RULES_DIR).filter((f) => RULE_FILE_PATTERN.test(f)).sort();
}

let cached: { report: RuleLoadReport; engine: TtpEngine } | undefined;

/** The upstream rules loaded once per test file, and an engine over them (curated ATT&CK data). */
export function upstreamEngine(): { report: RuleLoadReport; engine: TtpEngine; attack: AttackCatalog } {
  const attack = AttackCatalog.curated();
  if (!cached) {
    const report = loadRuleDirectory(UPSTREAM_RULES_DIR, attack);
    cached = { report, engine: new TtpEngine(report.rules, attack) };
  }
  return { ...cached, attack };
}
