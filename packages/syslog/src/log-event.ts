// Line trimming shared by every producer of parsed log events (collector for local lines,
// listener for lines received over TLS). The `log.event.<service>` subject and its payload are
// defined once, in the event catalogue of @decnet/core. Pure: no I/O.

/**
 * `bytes` without its trailing CR, LF and NUL bytes: delimiters senders leave behind, not
 * content. Returns `bytes` itself when there is nothing to trim.
 */
export function trimLineEnding(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0) {
    const b = bytes[end - 1];
    if (b !== 10 && b !== 13 && b !== 0) break;
    end--;
  }
  return end === bytes.length ? bytes : bytes.subarray(0, end);
}
