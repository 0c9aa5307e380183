// The filesystem rule store: loads the rule directory into an engine and notices changes (file
// names, sizes, modification times) so a reload swaps a new engine in atomically. A missing
// directory gives an empty engine and an error to report, until the directory appears.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RULE_FILE_PATTERN, TtpEngine, loadRuleDirectory, type AttackCatalog, type RuleLoadReport } from '@decnet/ttp-engine';

/** One loaded generation of rules. */
export interface RuleGeneration {
  readonly engine: TtpEngine;
  readonly report: RuleLoadReport | undefined;
  /** Why nothing could be read (the directory is missing or unreadable). */
  readonly error?: string;
  readonly signature: string;
}

/** Loads and re-loads one rule directory. */
export class RuleSource {
  readonly dir: string;

  constructor(
    dir: string,
    private readonly attack: AttackCatalog,
  ) {
    this.dir = resolve(dir);
  }

  /** A fingerprint of the directory's rule files; changes when any is added, removed or written. */
  signature(): string {
    try {
      return readdirSync(this.dir)
        .filter((n) => RULE_FILE_PATTERN.test(n))
        .sort()
        .map((n) => {
          const s = statSync(join(this.dir, n));
          return `${n}:${s.size}:${s.mtimeMs}`;
        })
        .join('|');
    } catch (err) {
      return `error:${(err as NodeJS.ErrnoException).code ?? 'unknown'}`;
    }
  }

  /** Loads the directory now. Never throws. */
  load(): RuleGeneration {
    const signature = this.signature();
    try {
      const report = loadRuleDirectory(this.dir, this.attack);
      return { engine: new TtpEngine(report.rules, this.attack), report, signature };
    } catch (err) {
      return { engine: new TtpEngine([], this.attack), report: undefined, error: (err as Error).message, signature };
    }
  }
}
