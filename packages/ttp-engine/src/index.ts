/**
 * MITRE ATT&CK tagging without I/O beyond reading rule files: decnet's own rule pack (64 YAML
 * rules, shipped inside every bundle) optionally combined with an operator's directory, Python
 * regular expressions translated to V8, checked for catastrophic backtracking, run through a
 * linear-time matcher on long input; `lifter:` rules as code; confidence and the 0.3 floor,
 * deterministic tag ids, curated offline ATT&CK data with its release, corpus scoring, and the
 * STIX 2.1 export builder. Never imports the database layer.
 *
 * ```ts
 * import { AttackCatalog, TtpEngine, loadRuleSet } from '@decnet/ttp-engine';
 * const attack = AttackCatalog.curated();
 * const { rules, errors } = loadRuleSet(attack, { dir: process.env.DECNET_TTP_RULES_DIR });
 * const engine = new TtpEngine(rules, attack);
 * engine.tag({ sourceKind: 'command', sourceId: 'sess#0', payload: { command_text: 'cat /etc/shadow' } });
 * ```
 * @module
 */

// attack-catalog.ts
export type { AttackMismatch, AttackTechnique } from './attack-catalog.js';
export { AttackCatalog, compareAttackData, loadAttackBundle, mitreUrl, parseAttackBundle, resolveAttackCatalog } from './attack-catalog.js';
// attack-data.ts
export type { AttackData, AttackTacticRecord, AttackTechniqueRecord } from './attack-data.js';
export { CURATED_ATTACK_DATA } from './attack-data.js';
// auth-window.ts
export type { AuthAttempt, AuthCounters } from './auth-window.js';
export { AuthWindow, MAX_TRACKED_SOURCES, PRIOR_BRUTE_MEMORY_MS } from './auth-window.js';
// compiled-pattern.ts
export { CompiledPattern, FAST_PATH_MAX_CHARS, MAX_MATCH_INPUT_CHARS, SLOW_EXEC_MS } from './compiled-pattern.js';
// corpus.ts
export type { CorpusLineError, CorpusReport, CorpusRow, RowOutcome, RuleScore } from './corpus.js';
export { BROAD_RULES, RECALL_TARGET, evaluateCorpus, parseCorpus, precisionTarget } from './corpus.js';
// engine.ts
export type { CredentialWindowSettings, Evaluation, TagOptions } from './engine.js';
export { MAX_EVIDENCE_LIST, MAX_EVIDENCE_STRING, MIN_CONFIDENCE, TtpEngine } from './engine.js';
// errors.ts
export { AttackBundleError, PatternSyntaxError, RuleLoadError, UnknownTechniqueError, UnsafePatternError } from './errors.js';
// lifters
export type { Lifter, LifterEmit, LifterHit } from './lifters/lifter.js';
export { LIFTERS } from './lifters/index.js';
export { ABUSEIPDB_CATEGORY_TECHNIQUES, GREYNOISE_TAG_TECHNIQUES, THREATFOX_THREAT_TECHNIQUES } from './lifters/intel.js';
// linear-matcher.ts
export { LinearMatcher } from './linear-matcher.js';
// python-regex.ts
export type { EmitMode, JsRegexSource, ParsedPattern, PythonFlags, RegexNode } from './python-regex.js';
export { emitJsRegex, parsePythonRegex } from './python-regex.js';
// regex-safety.ts
export { assertSafePattern } from './regex-safety.js';
// rule.ts
export type { LifterMatch, PatternMatch, Rule, RuleEmit, RuleState, SourceKind, TagCandidate, TagSource } from './rule.js';
export { COMMAND_CONTEXT_FIELDS, DEFAULT_MATCH_FIELDS, SOURCE_KINDS, isSourceKind } from './rule.js';
// rule-loader.ts
export type { RuleLoadReport, RuleText } from './rule-loader.js';
export {
  LIFTER_PREFIX,
  MAX_RULE_FILE_BYTES,
  RULE_FILE_PATTERN,
  isDormant,
  loadRuleDirectory,
  loadRuleTexts,
  parseRule,
} from './rule-loader.js';
// rule-pack.ts
export type { RuleSetOptions, RuleSetReport, RuleSetSource, RulesMode } from './rule-pack.js';
export {
  RULES_MODES,
  SHIPPED_PACK_ORIGIN,
  describeRuleSet,
  isShippedPackEmbedded,
  loadRuleSet,
  loadShippedRules,
  shippedPackLocation,
  shippedRuleTexts,
} from './rule-pack.js';
// stix.ts
export type { StixAttackerInput, StixBundle, StixObject, StixTagInput } from './stix.js';
export { STIX_NAMESPACE, STIX_SCO_NAMESPACE, buildStixBundle, validateStixBundle } from './stix.js';
// uuid.ts
export type { TagKey } from './uuid.js';
export { TTP_TAG_NAMESPACE, URL_NAMESPACE, isUuid, tagUuid, uuidv5 } from './uuid.js';
