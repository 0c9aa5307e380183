// ESLint rule `decnet-events/no-subject-literal`: a bus subject or pattern written as a string
// literal (or the head of a template literal) outside the event catalogue. Publishers and
// subscribers name subjects through `EVENTS` in @decnet/core, so a subject has one spelling.
// Plain JS: ESLint loads its config and plugins with Node itself.

/** Final tokens that make a two-part string a file or host name (`decky.log`, `smtp.example.com`), not a subject. */
const FILE_OR_HOST_SUFFIXES = new Set([
  'log', 'txt', 'json', 'yml', 'yaml', 'ts', 'mts', 'js', 'mjs', 'cjs', 'md', 'eml', 'pem', 'key', 'crt', 'csr',
  'ini', 'conf', 'cfg', 'sock', 'db', 'sqlite', 'sql', 'html', 'htm', 'xml', 'gz', 'tgz', 'tar', 'zip', 'pcap',
  'com', 'org', 'net', 'io', 'dev', 'example', 'test', 'local', 'localhost', 'invalid', 'internal', 'lan', 'corp', 'arpa',
]);

/** A subject or pattern token: upstream's grammar (fleet decky ids hold `:`), or a wildcard. */
const TOKEN = /^(?:[A-Za-z0-9_:-]+|\*|>)$/;

/** True when some concrete subject matches both patterns (`>` only as the last token). */
function overlaps(a, b) {
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === '>') return b.length > i;
    if (y === '>') return a.length > i;
    if (x === undefined || y === undefined) return x === y;
    if (x !== '*' && y !== '*' && x !== y) return false;
  }
}

/**
 * Decides whether `text` names a bus subject: a string of two or more tokens (or a prefix ending
 * in `.`, as built by concatenation) whose first token is a catalogue root. A string that lies
 * outside every catalogue pattern and ends like a file or host name is let through.
 * @param {string} text
 * @param {{ roots: ReadonlySet<string>, patterns: readonly string[][] }} catalogue
 */
export function looksLikeSubject(text, catalogue) {
  const prefix = text.endsWith('.');
  const tokens = (prefix ? text.slice(0, -1) : text).split('.');
  if (tokens.length < (prefix ? 1 : 2)) return false;
  if (!catalogue.roots.has(tokens[0])) return false;
  if (!tokens.every((t, i) => TOKEN.test(t) && (t !== '>' || (i === tokens.length - 1 && !prefix)))) return false;
  if (prefix) return true;
  if (catalogue.patterns.some((p) => overlaps(tokens, p))) return true;
  return !FILE_OR_HOST_SUFFIXES.has(tokens.at(-1));
}

/**
 * Builds the rule for a catalogue.
 * @param {{ roots: Iterable<string>, patterns: Iterable<string> }} source the catalogue's roots and patterns
 * @param {readonly string[]} [allowed] absolute paths that may spell subjects: a file, or a directory ending in `/`
 * @returns {import('eslint').Rule.RuleModule}
 */
export function createNoSubjectLiteral(source, allowed = []) {
  const catalogue = { roots: new Set(source.roots), patterns: [...source.patterns].map((p) => p.split('.')) };
  return {
    meta: {
      type: 'problem',
      docs: { description: 'Bus subjects are named through the event catalogue (EVENTS in @decnet/core), never as literals.' },
      schema: [],
      messages: {
        subjectLiteral:
          'Bus subject {{text}} written as a literal: name it through the event catalogue ' +
          '(`EVENTS.<entry>.subject` / `.pattern`, `rootPattern()` in @decnet/core), adding an entry if it is new.',
      },
    },
    create(context) {
      // Absolute paths, so the exemption holds whichever project directory ESLint runs from.
      const file = context.filename;
      if (allowed.some((a) => (a.endsWith('/') ? file.startsWith(a) : file === a))) return {};
      const report = (node, text) => {
        if (looksLikeSubject(text, catalogue)) {
          context.report({ node, messageId: 'subjectLiteral', data: { text: JSON.stringify(text.slice(0, 80)) } });
        }
      };
      const isModuleSource = (node) => {
        const p = node.parent;
        return (
          p &&
          (p.type === 'ImportDeclaration' || p.type === 'ExportAllDeclaration' || p.type === 'ExportNamedDeclaration' ||
            p.type === 'ImportExpression' || p.type === 'TSExternalModuleReference' || p.type === 'TSModuleDeclaration' ||
            p.type === 'TSImportType') &&
          p.source === node
        );
      };
      return {
        Literal(node) {
          if (typeof node.value === 'string' && !isModuleSource(node)) report(node, node.value);
        },
        TemplateLiteral(node) {
          const head = node.quasis[0]?.value.cooked;
          if (typeof head !== 'string' || head === '') return;
          // With substitutions only a head ending in `.` can start a subject (`log.event.${x}`).
          if (node.expressions.length === 0) report(node, head);
          else if (head.endsWith('.')) report(node, head);
        },
      };
    },
  };
}
