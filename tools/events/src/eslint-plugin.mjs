// The `decnet-events` ESLint plugin: rules derived from the event catalogue itself. The catalogue
// is TypeScript, so it is loaded through tsx (a dev dependency); its schemas are never built here.
import { resolve } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { createNoSubjectLiteral } from './no-subject-literal.mjs';

const { EVENT_LIST } = await tsImport('../../../packages/core/src/events/catalogue.ts', import.meta.url);

/** The catalogue's roots and patterns, as the rule sees them. */
export const catalogueShape = {
  roots: [...new Set(EVENT_LIST.map((e) => e.root))],
  patterns: EVENT_LIST.map((e) => e.pattern),
};

const CORE_SRC = resolve(import.meta.dirname, '../../../packages/core/src');

/** Files that may spell subjects: the catalogue (and its tests) and the subject grammar it is built on. */
export const CATALOGUE_FILES = [`${CORE_SRC}/events/`, `${CORE_SRC}/subjects.ts`, `${CORE_SRC}/subjects.test.ts`];

export default {
  meta: { name: 'decnet-events' },
  rules: { 'no-subject-literal': createNoSubjectLiteral(catalogueShape, CATALOGUE_FILES) },
};
