/**
 * The http honeypot service (node:http): every request logged with method, path, headers and a
 * capped body preview; Basic/Bearer/Digest authorization and login forms (urlencoded, JSON,
 * multipart, query, XML-RPC) captured as credentials; a configurable Server banner and
 * plausible pages for the imitated application (Apache default page, WordPress, phpMyAdmin,
 * Tomcat, Jenkins, a home router, a NAS), with 401 challenges on protected paths.
 *
 * ```ts
 * import { service } from '@decnet/service-http';
 * import { startService } from '@decnet/decky-kit';
 * await startService(service, { port: 8080, bind: '127.0.0.1', env: { FAKE_APP: 'wordpress' } });
 * ```
 * @module
 */
import { defineService } from '@decnet/decky-kit';
import { HTTP_FIELDS } from './options.js';
import { startHttp } from './server.js';

/** The http service spec (slug `http`, port 80). */
export const service = defineService({
  slug: 'http',
  description: 'web server imitating an application, capturing requests and credentials',
  defaultPort: 80,
  transport: 'tcp',
  fields: HTTP_FIELDS,
  start: startHttp,
});

// options.ts
export type { FakeApp, HttpOptions } from './options.js';
export { FAKE_APPS, HTTP_FIELDS } from './options.js';
// handler.ts
export type { HttpRequestInfo, ResponsePlan, SiteConfig } from './handler.js';
export { BODY_PREVIEW_CHARS, MAX_BODY_BYTES, badRequest, handleRequest } from './handler.js';
// credentials.ts
export type { HttpCredential } from './credentials.js';
export { authorizationCredential, formCredential } from './credentials.js';
// site.ts
export type { FakeSite, Route } from './site.js';
export { SITES } from './site.js';
