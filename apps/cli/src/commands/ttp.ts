// `decnet ttp eval|rules|tags|export|attack`: score labelled corpora against the rules (decnet's
// shipped pack, plus or instead of an operator directory), list the rules and where each comes
// from, list stored ATT&CK tags, export attackers and tags as a STIX 2.1 bundle, and compare the
// curated ATT&CK data with an official bundle. Database reads use DATABASE_URL, or the embedded
// Postgres a running `decnet up` started.
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createLogger } from '@decnet/core';
import { loadConfigOrExit } from '@decnet/host';
import type * as DbModule from '@decnet/db';
import type { Queryable, TagListRow } from '@decnet/db';
import {
  AttackBundleError,
  AttackCatalog,
  RECALL_TARGET,
  RULES_MODES,
  TtpEngine,
  buildStixBundle,
  compareAttackData,
  describeRuleSet,
  evaluateCorpus,
  loadAttackBundle,
  loadRuleSet,
  parseCorpus,
  resolveAttackCatalog,
  shippedPackLocation,
  validateStixBundle,
  type CorpusReport,
  type RuleSetReport,
  type RulesMode,
} from '@decnet/ttp-engine';
import { UsageError, parseCommandArgs, parseLimit, renderJson, renderTable, type CommandIO } from '../io.js';
import { printable } from './logs.js';

const SUBCOMMANDS = ['eval', 'rules', 'tags', 'export', 'attack'] as const;
/** Rows `tags` shows when --limit is not given. */
const DEFAULT_LIMIT = 50;
/** Largest --limit accepted. */
const MAX_LIMIT = 100_000;

export function help(): string {
  return [
    'Usage: decnet ttp <subcommand> [options]',
    '',
    "MITRE ATT&CK tagging (the ttp worker's rules and tags).",
    '',
    '  eval <corpus.jsonl|DIR>... [--json|--markdown]',
    '                                                per corpus and rule: technique, TP, FP, FN, precision,',
    '                                                recall; exit 1 when a rule misses its precision target',
    `                                                or ${RECALL_TARGET} recall (a DIR means its *.jsonl files)`,
    '  rules [--json]                                list the rules and where each comes from;',
    '                                                exit 1 on a rejected file',
    '  tags [--limit N] [--attacker UUID] [--json]   stored tags, newest first (default 50)',
    '  export --stix [--out FILE] [--attacker UUID]  a STIX 2.1 bundle of attackers, techniques, sightings',
    '  attack verify <enterprise-attack.json> [--json]',
    '                                                compare the curated ATT&CK data with an official bundle',
    '',
    "Rules: decnet's own pack (shipped with decnet), plus the rule files of --rules DIR (else",
    "DECNET_TTP_RULES_DIR); a file with a pack rule's id overrides it. --rules-mode replace (else",
    'DECNET_TTP_RULES_MODE=replace) uses the directory alone. ATT&CK data is the curated extract',
    'shipped with decnet unless DECNET_ATTACK_BUNDLE names an official bundle.',
    '',
  ].join('\n');
}

const fmt = (v: number | null): string => (v === null ? '-' : v.toFixed(3));

/** Rule-set choice from the command line, else the environment (the worker's keys). */
interface RuleChoice {
  rules?: string | undefined;
  'rules-mode'?: string | undefined;
}

/** Rules loaded for a subcommand. */
interface LoadedRules {
  readonly report: RuleSetReport;
  readonly engine: TtpEngine;
  readonly attack: AttackCatalog;
  readonly dir: string | undefined;
}

/** @throws UsageError for an unknown mode, or replace without a directory. */
function ruleSetChoice(values: RuleChoice, io: CommandIO): { dir: string | undefined; mode: RulesMode } {
  const dirText = values.rules ?? io.env.DECNET_TTP_RULES_DIR ?? '';
  const fromFlag = values['rules-mode'] !== undefined;
  const modeText = values['rules-mode'] ?? io.env.DECNET_TTP_RULES_MODE ?? '';
  const mode = modeText.trim() === '' ? 'add' : modeText.trim();
  if (!(RULES_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(
      `${fromFlag ? '--rules-mode' : 'DECNET_TTP_RULES_MODE'} must be add or replace, not "${modeText}"`,
      'ttp',
    );
  }
  const dir = dirText.trim() === '' ? undefined : resolve(dirText);
  if (mode === 'replace' && dir === undefined)
    throw new UsageError(
      'replace mode needs --rules DIR (or DECNET_TTP_RULES_DIR): the rules that replace the pack',
      'ttp',
    );
  return { dir, mode: mode as RulesMode };
}

/** Loads the rule set; an unreadable directory is one line on stderr and undefined. */
function loadRules(verb: string, values: RuleChoice, io: CommandIO): LoadedRules | undefined {
  const { dir, mode } = ruleSetChoice(values, io);
  const attack = resolveAttackCatalog(io.env);
  const report = loadRuleSet(attack, { dir, mode });
  if (report.dirError) {
    const fix = 'name an existing directory with --rules or DECNET_TTP_RULES_DIR';
    io.stderr(`decnet ttp ${verb}: ${report.dirError.message}: ${fix}\n`);
    return undefined;
  }
  return { report, engine: new TtpEngine(report.rules, attack), attack, dir };
}

/** The `.jsonl` files a corpus argument names: the file itself, or a directory's files. */
function corpusFiles(arg: string): string[] {
  const path = resolve(arg);
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  if (files.length === 0) throw new Error('the directory holds no .jsonl file');
  return files.map((f) => join(path, f));
}

/** One corpus scored. */
interface CorpusResult extends CorpusReport {
  readonly corpus: string;
}

const ok = (r: { meetsTarget: boolean | null; meetsRecall: boolean | null }): string =>
  r.meetsTarget === false || r.meetsRecall === false
    ? 'NO'
    : r.meetsTarget === null && r.meetsRecall === null
      ? '-'
      : 'yes';

function printEval(result: CorpusResult, io: CommandIO): void {
  io.stdout(`\n${result.corpus} (${result.rows} rows)\n`);
  io.stdout(
    renderTable(
      ['rule', 'technique', 'tp', 'fp', 'fn', 'precision', 'recall', 'target', 'ok'],
      result.rules.map((r) => [
        r.ruleId,
        r.techniques.join(',') || '-',
        r.tp,
        r.fp,
        r.fn,
        fmt(r.precision),
        fmt(r.recall),
        r.target === null ? '-' : r.target.toFixed(2),
        ok(r),
      ]),
    ),
  );
  const o = result.overall;
  io.stdout(
    `overall: ${result.rows} rows, tp ${o.tp}, fp ${o.fp}, fn ${o.fn}, ` +
      `precision ${fmt(o.precision)}, recall ${fmt(o.recall)}\n`,
  );
  for (const m of result.mismatches)
    io.stdout(
      `line ${m.line} (${printable(m.label)}): expected [${m.expected.join(', ')}], fired [${m.fired.join(', ')}]\n`,
    );
}

/** One Markdown table over every corpus (the README's per-rule table). */
function printMarkdown(results: readonly CorpusResult[], rules: LoadedRules, io: CommandIO): void {
  const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |\n`;
  io.stdout(row(['corpus', 'rule', 'technique', 'TP', 'FP', 'FN', 'precision', 'recall']));
  io.stdout(row(['---', '---', '---', '---:', '---:', '---:', '---:', '---:']));
  for (const result of results) {
    const name = result.corpus.slice(result.corpus.lastIndexOf('/') + 1);
    for (const r of result.rules)
      io.stdout(
        row([name, r.ruleId, r.techniques.join(', ') || '-', r.tp, r.fp, r.fn, fmt(r.precision), fmt(r.recall)]),
      );
    const o = result.overall;
    io.stdout(row([name, '**all**', '', o.tp, o.fp, o.fn, `**${fmt(o.precision)}**`, `**${fmt(o.recall)}**`]));
  }
  io.stdout(`\nRules: ${describeRuleSet(rules.report)}.\n`);
}

async function evalCorpora(
  args: readonly string[],
  values: RuleChoice & { json?: boolean; markdown?: boolean },
  io: CommandIO,
): Promise<number> {
  if (values.json && values.markdown) throw new UsageError('eval takes --json or --markdown, not both', 'ttp');
  const files: string[] = [];
  for (const arg of args) {
    try {
      files.push(...corpusFiles(arg));
    } catch (err) {
      io.stderr(
        `decnet ttp eval: cannot read ${arg}: ${(err as Error).message}: ` +
          'name a corpus file (JSON lines) or a directory of them\n',
      );
      return 1;
    }
  }
  const rules = loadRules('eval', values, io);
  if (!rules) return 1;
  for (const e of rules.report.errors) io.stderr(`decnet ttp eval: rule rejected: ${e.message}\n`);
  const results: CorpusResult[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      io.stderr(`decnet ttp eval: cannot read ${file}: ${(err as Error).message}: name a readable corpus file\n`);
      return 1;
    }
    const { rows, errors } = parseCorpus(text);
    for (const e of errors) io.stderr(`decnet ttp eval: ${file}:${e.line}: skipped: ${e.reason}\n`);
    results.push({ corpus: file, ...evaluateCorpus(rules.engine, rows, errors) });
  }
  const meetsTargets = results.every((r) => r.meetsTargets);
  if (values.json) {
    io.stdout(
      renderJson({
        rulesLoaded: rules.report.rules.length,
        rulesRejected: rules.report.errors.length,
        rulesFrom: describeRuleSet(rules.report),
        rulesMode: rules.report.mode,
        recallTarget: RECALL_TARGET,
        meetsTargets,
        corpora: results,
      }),
    );
  } else if (values.markdown) {
    printMarkdown(results, rules, io);
  } else {
    io.stdout(`using ${describeRuleSet(rules.report)}\n`);
    for (const result of results) printEval(result, io);
  }
  return meetsTargets ? 0 : 1;
}

function listRules(values: RuleChoice & { json?: boolean }, io: CommandIO): number {
  const loaded = loadRules('rules', values, io);
  if (!loaded) return 1;
  const { report, attack, dir } = loaded;
  const origin = (id: string): string => (report.originOf.get(id) === 'directory' ? 'dir' : 'pack');
  if (values.json) {
    io.stdout(
      renderJson({
        from: describeRuleSet(report),
        mode: report.mode,
        pack: report.mode === 'add' ? shippedPackLocation() : null,
        dir: dir ?? null,
        overridden: report.overridden,
        attackRelease: attack.release,
        rules: report.rules.map((r) => ({
          ruleId: r.ruleId,
          version: r.ruleVersion,
          name: r.name,
          source: origin(r.ruleId),
          appliesTo: r.appliesTo,
          match:
            r.match.type === 'pattern'
              ? { pattern: r.match.pattern.source, field: r.match.field ?? null }
              : { lifter: r.match.lifter },
          techniques: r.emits.map((e) => e.subTechniqueId ?? e.techniqueId),
          file: r.file,
        })),
        errors: report.errors.map((e) => ({ file: e.file, line: e.line, column: e.column, reason: e.reason })),
        warnings: report.warnings,
        dormant: report.dormant.map((r) => r.ruleId),
      }),
    );
  } else {
    io.stdout(
      renderTable(
        ['rule', 'v', 'source', 'name', 'applies to', 'match', 'techniques'],
        report.rules.map((r) => [
          r.ruleId,
          r.ruleVersion,
          origin(r.ruleId),
          r.name,
          r.appliesTo.join(','),
          r.match.type === 'pattern'
            ? `pattern on ${r.match.field ?? 'default field'}`
            : `lifter:${r.match.lifter}${report.dormant.includes(r) ? ' (dormant)' : ''}`,
          [...new Set(r.emits.map((e) => e.subTechniqueId ?? e.techniqueId))].join(','),
        ]),
      ),
    );
    const pack = report.mode === 'add' ? `; pack: ${shippedPackLocation()}` : '';
    io.stdout(
      `\n${describeRuleSet(report)} (ATT&CK ${attack.release}${attack.data.curated ? ', curated' : ''}${pack})\n`,
    );
    for (const w of report.warnings) io.stderr(`warning: ${w}\n`);
  }
  for (const e of report.errors) io.stderr(`rejected: ${e.message}\n`);
  return report.errors.length === 0 ? 0 : 1;
}

function verifyAttack(file: string, values: { json?: boolean }, io: CommandIO): number {
  let official;
  try {
    official = loadAttackBundle(file);
  } catch (err) {
    if (err instanceof AttackBundleError) {
      io.stderr(`decnet ttp attack verify: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const curated = AttackCatalog.curated().data;
  const mismatches = compareAttackData(curated, official);
  if (values.json) {
    io.stdout(renderJson({ curatedRelease: curated.release, bundleRelease: official.release, bundle: file, mismatches }));
  } else if (mismatches.length === 0) {
    io.stdout(`the curated ATT&CK data (${curated.release}) agrees with ${file} (${official.release}): ${curated.techniques.length} techniques, ${curated.tactics.length} tactics\n`);
  } else {
    io.stdout(renderTable(['id', 'kind', 'curated', 'bundle'], mismatches.map((m) => [m.id, m.kind, m.expected, m.actual])));
    io.stdout(`\n${mismatches.length} difference(s) between the curated data (${curated.release}) and ${file} (${official.release})\n`);
  }
  return mismatches.length === 0 ? 0 : 1;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tag row as read. */
type TagRow = TagListRow;

/** The database package, loaded when a subcommand needs it (the CLI starts without it). */
type Db = typeof DbModule;

async function withDatabase<T>(io: CommandIO, verb: string, use: (pool: Queryable, db: Db) => Promise<T>): Promise<T | number> {
  const config = loadConfigOrExit(io.env);
  const log = createLogger({ level: io.env['DECNET_LOG_LEVEL'] ? config.logLevel : 'warn', name: 'ttp' });
  const db = await import('@decnet/db');
  const database = await db.openDatabase(config, log, { retry: false, poolMax: 1 });
  try {
    return await use(database.pool, db);
  } catch (err) {
    if (db.isMissingTableError(err)) {
      io.stderr(`decnet ttp ${verb}: the database at ${database.url} has no ttp tables yet; run "decnet db migrate"\n`);
      return 1;
    }
    throw err;
  } finally {
    await database.close();
  }
}

async function listTags(values: { limit?: string; attacker?: string; json?: boolean }, io: CommandIO): Promise<number> {
  const limit = parseLimit('ttp', values.limit, DEFAULT_LIMIT, MAX_LIMIT);
  if (values.attacker !== undefined && !UUID.test(values.attacker)) throw new UsageError('--attacker must be an attacker uuid', 'ttp');
  const rows = await withDatabase(io, 'tags', (pool, db) => db.listTags(pool, { limit, attackerUuid: values.attacker }));
  if (typeof rows === 'number') return rows;
  const attack = AttackCatalog.curated();
  if (values.json) {
    io.stdout(renderJson(rows.map((r) => ({ ...r, created_at: r.created_at.toISOString(), technique_name: attack.technique(r.sub_technique_id ?? r.technique_id)?.displayName ?? null }))));
    return 0;
  }
  if (rows.length === 0) {
    io.stderr('no tags yet\n');
    return 0;
  }
  io.stdout(
    renderTable(
      ['time (utc)', 'attacker', 'technique', 'name', 'tactic', 'conf', 'rule', 'source'],
      rows.map((r) => {
        const technique = r.sub_technique_id ?? r.technique_id;
        return [
          r.created_at.toISOString().slice(0, 19).replace('T', ' '),
          printable(r.attacker_ip ?? (r.identity_uuid ? `identity ${r.identity_uuid.slice(0, 8)}` : '-')),
          technique,
          attack.technique(technique)?.displayName ?? '',
          attack.tactic(r.tactic)?.name ?? r.tactic,
          r.confidence.toFixed(2),
          r.rule_id,
          printable(`${r.source_kind}:${r.source_id}`).slice(0, 48),
        ];
      }),
    ),
  );
  return 0;
}

async function exportStix(values: { stix?: boolean; out?: string; attacker?: string }, io: CommandIO): Promise<number> {
  if (!values.stix) throw new UsageError('export needs --stix (the only format so far)', 'ttp');
  if (values.attacker !== undefined && !UUID.test(values.attacker)) throw new UsageError('--attacker must be an attacker uuid', 'ttp');
  const data = await withDatabase(io, 'export', async (pool, db) => ({
    attackers: await db.listAttackersForExport(pool, values.attacker),
    tags: await db.listTagsForExport(pool, values.attacker),
  }));
  if (typeof data === 'number') return data;
  const bundle = buildStixBundle({
    attack: resolveAttackCatalog(io.env),
    attackers: data.attackers.map((a) => ({
      uuid: a.uuid,
      ip: a.ip,
      firstSeen: a.first_seen,
      lastSeen: a.last_seen,
      countryCode: a.country_code,
      asn: a.asn === null ? null : Number(a.asn),
      asName: a.as_name,
    })),
    tags: data.tags.map((t) => ({
      uuid: t.uuid,
      attackerUuid: t.attacker_uuid,
      identityUuid: t.identity_uuid,
      techniqueId: t.technique_id,
      subTechniqueId: t.sub_technique_id,
      tactic: t.tactic,
      confidence: t.confidence,
      ruleId: t.rule_id,
      sourceKind: t.source_kind,
      sessionId: t.session_id,
      createdAt: t.created_at,
    })),
  });
  const problems = validateStixBundle(bundle);
  if (problems.length > 0) {
    for (const p of problems.slice(0, 20)) io.stderr(`decnet ttp export: invalid STIX: ${p}\n`);
    return 1;
  }
  const text = JSON.stringify(bundle, null, 2) + '\n';
  if (values.out === undefined || values.out === '-') {
    io.stdout(text);
  } else {
    const target = resolve(values.out);
    const tmp = join(dirname(target), `.${process.pid}.stix.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, target);
    io.stderr(`wrote ${target}: ${data.attackers.length} attackers, ${data.tags.length} sightings, ${bundle.objects.length} objects\n`);
  }
  return 0;
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(sub === undefined ? `expected a subcommand: ${SUBCOMMANDS.join('|')}` : `unknown subcommand "${sub}" (${SUBCOMMANDS.join('|')})`, 'ttp');
  }
  const { values, positionals } = parseCommandArgs('ttp', rest, {
    json: { type: 'boolean', default: false },
    rules: { type: 'string' },
    'rules-mode': { type: 'string' },
    markdown: { type: 'boolean', default: false },
    limit: { type: 'string' },
    attacker: { type: 'string' },
    stix: { type: 'boolean', default: false },
    out: { type: 'string', short: 'o' },
  });
  try {
    return await dispatch(sub, positionals, values, io);
  } catch (err) {
    if (err instanceof AttackBundleError) {
      io.stderr(`decnet ttp ${sub}: DECNET_ATTACK_BUNDLE: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

async function dispatch(
  sub: string,
  positionals: string[],
  values: { json?: boolean; markdown?: boolean; rules?: string; 'rules-mode'?: string; limit?: string; attacker?: string; stix?: boolean; out?: string },
  io: CommandIO,
): Promise<number> {
  const exactly = (n: number, what: string): void => {
    if (positionals.length !== n) throw new UsageError(`${sub} ${what}`, 'ttp');
  };
  switch (sub) {
    case 'eval':
      if (positionals.length === 0) throw new UsageError('eval needs at least one <corpus.jsonl> or directory of them', 'ttp');
      return evalCorpora(positionals, values, io);
    case 'rules':
      exactly(0, 'takes no arguments');
      return listRules(values, io);
    case 'tags':
      exactly(0, 'takes no arguments');
      return listTags(values, io);
    case 'export':
      exactly(0, 'takes no arguments');
      return exportStix(values, io);
    case 'attack':
      if (positionals[0] !== 'verify' || positionals.length !== 2) throw new UsageError('usage: decnet ttp attack verify <enterprise-attack.json>', 'ttp');
      return verifyAttack(positionals[1] as string, values, io);
  }
  return 2;
}
