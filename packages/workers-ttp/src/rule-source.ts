// The worker's rules: decnet's shipped pack, plus (or, in `replace` mode, instead of) an
// operator's rule directory. Notices changes to the directory (file names, sizes, modification
// times) so a reload swaps a new engine in atomically; an unreadable directory is reported and,
// in `add` mode, the pack keeps tagging meanwhile.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  RULE_FILE_PATTERN,
  TtpEngine,
  describeRuleSet,
  loadRuleSet,
  type AttackCatalog,
  type RuleSetReport,
  type RulesMode,
} from '@decnet/ttp-engine';

/** One loaded generation of rules. */
export interface RuleGeneration {
  readonly engine: TtpEngine;
  readonly report: RuleSetReport;
  /** Why the operator's directory could not be read. */
  readonly error?: string;
  /** How many rules are loaded and from where, in one line. */
  readonly description: string;
  readonly signature: string;
}

/** Loads and re-loads the shipped pack and an optional operator directory. */
export class RuleSource {
  /** The operator's directory, absolute; undefined when there is none. */
  readonly dir: string | undefined;

  /**
   * @param dir the operator's rule directory; `''` for none (the pack alone).
   * @param mode `add` (the default): the directory adds to the pack, same id overriding;
   *   `replace`: the directory's rules only.
   */
  constructor(
    dir: string,
    private readonly attack: AttackCatalog,
    readonly mode: RulesMode = 'add',
  ) {
    this.dir = dir === '' ? undefined : resolve(dir);
  }

  /** A fingerprint of the directory's rule files; changes when any is added, removed or written. */
  signature(): string {
    if (this.dir === undefined) return 'pack';
    const dir = this.dir;
    try {
      return readdirSync(dir)
        .filter((n) => RULE_FILE_PATTERN.test(n))
        .sort()
        .map((n) => {
          const s = statSync(join(dir, n));
          return `${n}:${s.size}:${s.mtimeMs}`;
        })
        .join('|');
    } catch (err) {
      return `error:${(err as NodeJS.ErrnoException).code ?? 'unknown'}`;
    }
  }

  /** Loads the rules now. Never throws. */
  load(): RuleGeneration {
    const signature = this.signature();
    const report = loadRuleSet(this.attack, { dir: this.dir, mode: this.mode });
    return {
      engine: new TtpEngine(report.rules, this.attack),
      report,
      ...(report.dirError ? { error: report.dirError.message } : {}),
      description: describeRuleSet(report),
      signature,
    };
  }
}
