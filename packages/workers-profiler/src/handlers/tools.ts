// Tool guesses: which scanners and frameworks an attacker's HTTP headers name, and which C2
// frameworks its beacon cadence fits. Tables and thresholds are upstream's. Pure.

/** A header pattern: case-insensitive substring, or a regex when it starts with `^`. */
type HeaderRule = readonly [pattern: string, tool: string];

/** User-Agent patterns, in upstream's order. */
export const USER_AGENT_TOOLS: readonly HeaderRule[] = [
  ['Nmap Scripting Engine', 'nmap'],
  ['Nikto', 'nikto'],
  ['sqlmap', 'sqlmap'],
  ['Nuclei', 'nuclei'],
  ['masscan', 'masscan'],
  ['zgrab', 'zgrab'],
  ['Metasploit', 'metasploit'],
  ['^curl/', 'curl'],
  ['python-requests', 'python-requests'],
  ['gobuster', 'gobuster'],
  ['DirBuster', 'dirbuster'],
  ['hydra', 'hydra'],
  ['Wfuzz', 'wfuzz'],
];

/** X-Mailer patterns. */
export const MAILER_TOOLS: readonly HeaderRule[] = [['gophish', 'gophish']];

/** A C2 framework's default beacon: mean interval I ± tolerance, coefficient of variation J ± tolerance. */
export interface C2Cadence {
  readonly tool: string;
  readonly intervalS: number;
  readonly intervalTol: number;
  readonly cv: number;
  readonly cvTol: number;
}

/** Upstream's C2 cadence table. */
export const C2_CADENCES: readonly C2Cadence[] = [
  { tool: 'cobalt_strike', intervalS: 60, intervalTol: 8, cv: 0.2, cvTol: 0.05 },
  { tool: 'sliver', intervalS: 60, intervalTol: 10, cv: 0.3, cvTol: 0.08 },
  { tool: 'havoc', intervalS: 45, intervalTol: 8, cv: 0.1, cvTol: 0.03 },
  { tool: 'mythic', intervalS: 30, intervalTol: 6, cv: 0.15, cvTol: 0.03 },
];

/** Every tool name a cadence can produce (so stored guesses can be split back into their sources). */
export const C2_TOOL_NAMES: ReadonlySet<string> = new Set(C2_CADENCES.map((c) => c.tool));

/** Longest header value examined; a longer one is cut (no pattern needs more). */
const MAX_HEADER_CHARS = 1024;

const compiled = (rules: readonly HeaderRule[]): readonly (readonly [RegExp | string, string])[] =>
  rules.map(([pattern, tool]) => [pattern.startsWith('^') ? new RegExp(pattern, 'i') : pattern.toLowerCase(), tool]);
const UA_MATCHERS = compiled(USER_AGENT_TOOLS);
const MAILER_MATCHERS = compiled(MAILER_TOOLS);

function matchAll(value: string, matchers: readonly (readonly [RegExp | string, string])[], out: string[]): void {
  const lower = value.toLowerCase();
  for (const [m, tool] of matchers) {
    const hit = typeof m === 'string' ? lower.includes(m) : m.test(value);
    if (hit && !out.includes(tool)) out.push(tool);
  }
}

/** Python-repr or JSON-ish `'Name': 'value'` pairs for the two headers we read. */
const HEADER_PAIR = /['"]?(user-agent|x-mailer)['"]?\s*:\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")/gi;

/**
 * The User-Agent and X-Mailer values of a `headers` field: a JSON object (the usual form), a
 * JSON list of `[name, value]` pairs, an object, or a Python dict repr. Never throws.
 */
export function headerValues(headers: unknown): { userAgent: string[]; mailer: string[] } {
  const out = { userAgent: [] as string[], mailer: [] as string[] };
  const take = (name: unknown, value: unknown): void => {
    if (typeof name !== 'string' || typeof value !== 'string') return;
    const key = name.toLowerCase();
    const v = value.slice(0, MAX_HEADER_CHARS);
    if (key === 'user-agent') out.userAgent.push(v);
    else if (key === 'x-mailer') out.mailer.push(v);
  };
  let value = headers;
  if (typeof headers === 'string') {
    try {
      value = JSON.parse(headers);
    } catch {
      HEADER_PAIR.lastIndex = 0;
      for (let m = HEADER_PAIR.exec(headers); m; m = HEADER_PAIR.exec(headers)) take(m[1], m[2] ?? m[3]);
      return out;
    }
  }
  if (Array.isArray(value)) {
    for (const pair of value) if (Array.isArray(pair)) take(pair[0], pair[1]);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) take(k, Array.isArray(v) ? v[0] : v);
  }
  return out;
}

/** Tools a `request` event's headers name, deduplicated in table order. */
export function headerToolsOf(fields: Readonly<Record<string, unknown>>): string[] {
  const { userAgent, mailer } = headerValues(fields.headers);
  const tools: string[] = [];
  for (const ua of userAgent) matchAll(ua, UA_MATCHERS, tools);
  for (const m of mailer) matchAll(m, MAILER_MATCHERS, tools);
  return tools;
}

/** Every C2 framework whose default cadence fits `mean` and `cv` (upstream returns all matches). */
export function c2ToolsFor(mean: number | null, cv: number | null): string[] {
  if (mean === null || cv === null) return [];
  return C2_CADENCES.filter((c) => Math.abs(mean - c.intervalS) <= c.intervalTol && Math.abs(cv - c.cv) <= c.cvTol).map(
    (c) => c.tool,
  );
}

/** The stored guess list: header tools in first-seen order, then the cadence matches. */
export function toolGuesses(headerTools: readonly string[], mean: number | null, cv: number | null): string[] {
  const out = [...headerTools];
  for (const tool of c2ToolsFor(mean, cv)) if (!out.includes(tool)) out.push(tool);
  return out;
}
