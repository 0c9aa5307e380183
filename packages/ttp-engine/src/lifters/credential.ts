// Credential and identity lifters (R0001–R0006): brute force, password guessing, reuse, valid
// account use after brute force, default pairs, password spraying. Counts arrive computed in the
// payload (the worker's per-attacker window, or the producer), as upstream's lifters expected.
import { booleanParam, firstStr, LifterParamsError, num, numberParam, str, truthy, type Lifter } from './lifter.js';

/** R0001: failed attempts in the window at or above `fail_threshold`. */
export const authBruteGeneric: Lifter<{ failThreshold: number; windowMinutes: number }> = {
  name: 'credential_auth_brute_generic',
  family: 'credential',
  kinds: ['auth_attempt', 'credential'],
  compile: (m) => ({ failThreshold: numberParam(m, 'fail_threshold', 5, 1), windowMinutes: numberParam(m, 'window_minutes', 5, 0) }),
  evaluate(p, payload) {
    const fails = num(payload, 'fail_count');
    if (fails === undefined || fails < p.failThreshold) return undefined;
    return { evidence: { fail_count: fails, service: str(payload, 'service') } };
  },
};

/** R0002: distinct passwords against one username at or above `pw_threshold`. */
export const passwordGuessing: Lifter<{ pwThreshold: number; windowMinutes: number }> = {
  name: 'credential_password_guessing',
  family: 'credential',
  kinds: ['auth_attempt', 'credential'],
  compile: (m) => ({ pwThreshold: numberParam(m, 'pw_threshold', 5, 1), windowMinutes: numberParam(m, 'window_minutes', 5, 0) }),
  evaluate(p, payload) {
    const username = str(payload, 'username');
    const count = num(payload, 'password_count');
    if (username === undefined || count === undefined || count < p.pwThreshold) return undefined;
    return { evidence: { username, password_count: count } };
  },
};

/** R0004: a credential hash seen on more than one target. */
export const credentialReuse: Lifter<Record<string, never>> = {
  name: 'credential_reuse',
  family: 'credential',
  kinds: ['auth_attempt', 'credential'],
  compile: () => ({}),
  evaluate(_p, payload) {
    const hash = str(payload, 'credential_hash');
    const reuse = num(payload, 'reuse_count');
    if (hash === undefined || reuse === undefined || reuse < 1) return undefined;
    return { evidence: { credential_hash: hash, reuse_count: reuse } };
  },
};

/** R0005: a successful login, after a brute force by the same source when `require_prior_brute`. */
export const validAccountUse: Lifter<{ requirePriorBrute: boolean }> = {
  name: 'credential_valid_account_use',
  family: 'credential',
  kinds: ['auth_attempt', 'credential'],
  compile: (m) => ({ requirePriorBrute: booleanParam(m, 'require_prior_brute', true) }),
  evaluate(p, payload) {
    const success = str(payload, 'outcome') === 'success' || truthy(payload, 'success');
    if (!success) return undefined;
    if (p.requirePriorBrute && !truthy(payload, 'prior_brute')) return undefined;
    return { evidence: { username: str(payload, 'username'), service: str(payload, 'service') } };
  },
};

/** R0006: a login with a known default username/password pair. */
export const defaultCredentials: Lifter<{ pairs: ReadonlySet<string> }> = {
  name: 'credential_default_credentials',
  family: 'credential',
  kinds: ['auth_attempt', 'credential'],
  compile(m) {
    const raw = m.pairs;
    if (!Array.isArray(raw) || raw.length === 0) throw new LifterParamsError('pairs', 'expected a list of [username, password] pairs');
    const pairs = new Set<string>();
    raw.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || pair.some((x) => typeof x !== 'string')) {
        throw new LifterParamsError(`pairs[${i}]`, 'expected [username, password] (two strings)');
      }
      pairs.add(`${pair[0] as string}\u0000${pair[1] as string}`);
    });
    return { pairs };
  },
  evaluate(p, payload) {
    const username = typeof payload.username === 'string' ? payload.username : undefined;
    const password = firstStr(payload, ['password', 'secret_printable']) ?? (payload.password === '' || payload.secret_printable === '' ? '' : undefined);
    if (username === undefined || password === undefined) return undefined;
    if (!p.pairs.has(`${username}\u0000${password}`)) return undefined;
    return { evidence: { username, service: str(payload, 'service') } };
  },
};

/** R0003: one password hash tried across at least `account_threshold` accounts of an identity. */
export const passwordSpraying: Lifter<{ accountThreshold: number }> = {
  name: 'identity_password_spraying',
  family: 'identity',
  kinds: ['identity'],
  compile: (m) => ({ accountThreshold: numberParam(m, 'account_threshold', 3, 1) }),
  evaluate(p, payload) {
    const hash = str(payload, 'shared_password_hash');
    const accounts = num(payload, 'account_count');
    if (hash === undefined || accounts === undefined || accounts < p.accountThreshold) return undefined;
    return { evidence: { shared_password_hash: hash, account_count: accounts }, identityOnly: true };
  },
};
