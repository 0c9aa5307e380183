// `node --import ./tools/testing/trace-imports.mjs ...` appends every module URL the process
// loads to $DECNET_TRACE_IMPORTS_FILE, so a test can prove what a command does not load.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url);
