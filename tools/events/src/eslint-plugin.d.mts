// Types of eslint-plugin.mjs.
import type { ESLint } from 'eslint';

/** The catalogue's roots and patterns, as the rule sees them. */
export declare const catalogueShape: { roots: string[]; patterns: string[] };
/** Absolute paths that may spell subjects (a directory ends in `/`). */
export declare const CATALOGUE_FILES: string[];
declare const plugin: ESLint.Plugin;
export default plugin;
