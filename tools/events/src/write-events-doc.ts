// `npm run docs:events`: rewrites docs/events.md from the event catalogue.
// With --check it writes nothing and exits 1 when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EVENTS_DOC_PATH, REGENERATE_COMMAND, renderEventsDoc } from './events-doc.js';

const file = resolve(import.meta.dirname, '../../..', EVENTS_DOC_PATH);
const wanted = renderEventsDoc();
let current = '';
try {
  current = readFileSync(file, 'utf8');
} catch {
  // Not written yet.
}
if (process.argv.includes('--check')) {
  if (current !== wanted) {
    process.stderr.write(`${EVENTS_DOC_PATH} is stale: run \`${REGENERATE_COMMAND}\`\n`);
    process.exitCode = 1;
  }
} else if (current !== wanted) {
  writeFileSync(file, wanted);
  process.stdout.write(`wrote ${EVENTS_DOC_PATH}\n`);
} else {
  process.stdout.write(`${EVENTS_DOC_PATH} is up to date\n`);
}
