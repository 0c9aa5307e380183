// Types for the one ssh2 internal module the service patches (ssh2-limits.ts); ssh2 ships none.
declare module 'ssh2/lib/protocol/zlib.js' {
  const zlib: { readonly ZlibPacketReader?: { readonly prototype?: object } };
  export default zlib;
}
