/**
 * The PostgreSQL honeypot service: SSLRequest and GSSENCRequest answered 'N', the
 * StartupMessage read, AuthenticationMD5Password with a random salt, the PasswordMessage
 * captured as `auth` (secret_kind `postgres_md5_challenge`, secret
 * `$postgres$<user>*<salt>*<hash>` so it can be cracked offline), then FATAL 28P01.
 *
 * ```ts
 * import { service } from '@decnet/service-postgres';
 * import { startService } from '@decnet/decky-kit';
 * const pg = await startService(service, { port: 15432, bind: '127.0.0.1' });
 * ```
 * @module
 */
import { defineService } from '@decnet/decky-kit';
import { POSTGRES_FIELDS } from './options.js';
import { startPostgres } from './server.js';

/** The PostgreSQL service spec (slug `postgres`, port 5432). */
export const service = defineService({
  slug: 'postgres',
  description: 'PostgreSQL server (15.x look-alike) capturing every MD5 login challenge',
  defaultPort: 5432,
  transport: 'tcp',
  fields: POSTGRES_FIELDS,
  start: startPostgres,
});

// options.ts
export type { PostgresOptions } from './options.js';
export { POSTGRES_FIELDS } from './options.js';
// protocol.ts
export type { PostgresEvent, PostgresMachineOptions } from './protocol.js';
export { DEFAULT_AUTH_DEADLINE_MS, MAX_PASSWORD_MESSAGE_BYTES, MAX_STARTUP_BYTES, createPostgresMachine, errorResponse, md5ChallengeSecret, parseStartupParams } from './protocol.js';
