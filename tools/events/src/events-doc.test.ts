// docs/events.md is the catalogue rendered: it fails when the committed file is stale.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EVENT_LIST } from '@decnet/core';
import { describe, expect, it } from 'vitest';
import { EVENTS_DOC_PATH, REGENERATE_COMMAND, payloadLines, renderEventsDoc } from './events-doc.js';

const ROOT = resolve(import.meta.dirname, '../../..');

describe('docs/events.md follows the catalogue', () => {
  it('matches what the catalogue renders now', () => {
    const committed = readFileSync(resolve(ROOT, EVENTS_DOC_PATH), 'utf8');
    const rendered = renderEventsDoc();
    if (committed !== rendered) {
      expect.fail(`${EVENTS_DOC_PATH} is stale: run \`${REGENERATE_COMMAND}\` and commit the result`);
    }
  });

  it('lists every entry with its fields', () => {
    const rendered = renderEventsDoc();
    for (const spec of EVENT_LIST) {
      expect(rendered, spec.template).toContain(`\`${spec.template}\``);
      expect(payloadLines(spec).length, spec.template).toBeGreaterThan(0);
    }
    expect(rendered).toContain('`raw_line: string`');
    expect(rendered).toContain('`detail?: Record<string, unknown>`');
  });
});
