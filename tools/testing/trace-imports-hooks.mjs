// Loader hooks for trace-imports.mjs: record each loaded URL, change nothing.
import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  const file = process.env.DECNET_TRACE_IMPORTS_FILE;
  if (file) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
