// The tool's diagnostics: whatever logger the caller passes (a decnet Logger, console, or nothing),
// each level optional.

/** A logger that drops everything. */
export const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** `log` with every level callable (missing ones drop the line). */
export function normaliseLog(log) {
  if (!log) return silent;
  return {
    debug: (m, meta) => log.debug?.(m, meta),
    info: (m, meta) => log.info?.(m, meta),
    warn: (m, meta) => log.warn?.(m, meta),
    error: (m, meta) => log.error?.(m, meta),
  };
}
