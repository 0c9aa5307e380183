// The event catalogue: for each first-wave service, the MSGIDs it emits and the SD params each
// carries (upstream names, reference/ingestion.md §2.5), plus the identity and credential params
// the kit stamps. A typo in an event type fails to compile instead of failing silently downstream.

/**
 * Identity params stamped on every session event by the kit (CONVENTIONS.md C8). The decky goes
 * in HOSTNAME and the service in APP-NAME. Service code cannot set or override these.
 */
export const IDENTITY_PARAMS = ['sid', 'src_ip', 'src_port', 'dst_ip', 'dst_port'] as const;

/** The universal credential params (reference/ingestion.md §2.6); `secret_b64` marks an event as a credential attempt. */
export const CREDENTIAL_PARAMS = ['principal', 'secret_printable', 'secret_b64', 'secret_kind', 'outcome'] as const;

/** Params of events every TCP service may emit through the kit. */
const LIFECYCLE = {
  /** Service-level (no session): the listener is up. MSG carries a banner line. */
  startup: ['port', 'bind', 'version'],
  /** Service-level: the listener is closing. */
  shutdown: ['reason'],
  /**
   * The kit closed this connection to protect the decoy (severity warning): `reason` is the cap
   * a newcomer hit (`per_ip_limit`, `per_prefix_limit`, `global_limit`: this was the idlest
   * connection of whoever held the most), a byte budget (`connection_budget`, `service_budget`)
   * or the process memory guard (`memory_guard`, newest first).
   */
  connection_shed: ['reason', 'held_by_source', 'limit', 'held_bytes', 'service_bytes', 'budget_bytes', 'rss_mb', 'ceiling_mb'],
  /** A wall-clock deadline (headers, request, login, command, data...) expired; the connection is closed. */
  deadline_exceeded: ['deadline', 'limit_s', 'elapsed_s', 'bytes_in'],
  /** The protocol reader refused a frame larger than the protocol allows, before buffering it. */
  frame_refused: ['frame', 'problem', 'declared_bytes', 'limit_bytes'],
} as const;

/** Events of the fake shell shared by ssh and telnet. */
const SHELL_EVENTS = {
  /** One command line the attacker ran (interactive or exec). */
  command: ['cmd', 'cwd', 'user', 'channel'],
  /** wget/curl/tftp in the fake shell: nothing is ever fetched. */
  download_attempt: ['url', 'tool', 'cmd'],
  /** Summary of an interactive or exec session when it closes; `transcript` is JSON `[[ms, "i"|"o", text], ...]`. */
  session_recorded: ['service', 'user', 'duration_s', 'bytes', 'commands', 'truncated', 'transcript'],
} as const;

/**
 * Event types and their service-specific params, by service slug. Every event in a session also
 * carries {@link IDENTITY_PARAMS}; events marked "+ cred" carry {@link CREDENTIAL_PARAMS}.
 */
export const SERVICE_EVENTS = {
  ssh: {
    ...LIFECYCLE,
    connect: [],
    disconnect: ['duration_s', 'bytes_in', 'bytes_out', 'reason'],
    /** The client's SSH identification string (`SSH-2.0-OpenSSH_9.6`). */
    client_version: ['client_version'],
    /** Password or keyboard-interactive attempt: + cred. */
    auth_attempt: ['username', 'method', 'outcome'],
    /** A public key offered (no secret, so not a credential). */
    auth_publickey: ['username', 'key_type', 'fingerprint'],
    ...SHELL_EVENTS,
  },
  telnet: {
    ...LIFECYCLE,
    connect: [],
    disconnect: ['duration_s', 'bytes_in', 'bytes_out', 'reason'],
    /** Login attempt at the `login:` / `Password:` prompts: + cred. */
    auth_attempt: ['username', 'outcome'],
    ...SHELL_EVENTS,
  },
  http: {
    ...LIFECYCLE,
    /** One HTTP request: + cred when it carried Basic/Bearer/Digest auth or a login form. */
    request: ['method', 'path', 'version', 'remote_addr', 'host', 'user_agent', 'headers', 'body', 'body_bytes', 'status', 'auth_scheme', 'username', 'error'],
  },
  ftp: {
    ...LIFECYCLE,
    connection: [],
    disconnect: ['duration_s', 'bytes_in', 'bytes_out', 'reason'],
    user: ['username'],
    /** PASS after USER: + cred. */
    auth_attempt: ['username', 'outcome'],
    /** Every command after login, and unknown ones before it. */
    command: ['cmd', 'arg'],
    download_attempt: ['path', 'size'],
    /** STOR/APPE: the bytes are counted and hashed, then discarded. */
    upload_attempt: ['path', 'size', 'sha256', 'truncated'],
    /** PORT/EPRT: the emulator never connects out; the requested target is recorded. */
    active_mode_refused: ['target'],
  },
  smtp: {
    ...LIFECYCLE,
    connect: ['src', 'src_port'],
    disconnect: [],
    ehlo: ['domain'],
    mail_from: ['value', 'mail_from', 'domain'],
    rcpt_to: ['value'],
    rcpt_denied: ['value'],
    vrfy: ['value'],
    /** AUTH PLAIN/LOGIN: + cred. */
    auth_attempt: ['username', 'mechanism'],
    unknown_command: ['command'],
    message_accepted: ['msg_id', 'mail_from', 'rcpt_to', 'body_bytes', 'truncated'],
    message_stored: ['stored_as', 'sha256', 'size', 'subject', 'from_hdr', 'to_hdr', 'msg_id', 'truncated'],
  },
  redis: {
    ...LIFECYCLE,
    connect: [],
    disconnect: [],
    command: ['cmd', 'args'],
    /** AUTH [user] password: + cred (principal = ACL user when given). */
    auth: [],
  },
  mysql: {
    ...LIFECYCLE,
    connect: ['connection_id', 'src', 'src_port'],
    disconnect: [],
    /** Handshake response: + cred with secret_kind mysql_native_password, printable = hex. */
    auth: ['username', 'connection_id', 'database'],
  },
  postgres: {
    ...LIFECYCLE,
    connect: [],
    disconnect: [],
    /** Startup + password message: + cred with secret_kind postgres_md5_challenge. */
    auth: ['username', 'database', 'pw_hash'],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>;

/** A service with a catalogue entry. */
export type ServiceSlug = keyof typeof SERVICE_EVENTS;

/** The event types a service may emit. */
export type EventTypeOf<S extends ServiceSlug> = keyof (typeof SERVICE_EVENTS)[S] & string;

/** Every event type of `slug`, or an empty list for a slug without a catalogue entry. */
export function eventTypesOf(slug: string): readonly string[] {
  const entry = (SERVICE_EVENTS as Record<string, Record<string, readonly string[]>>)[slug];
  return entry ? Object.keys(entry) : [];
}

/** True when `slug` has a catalogue entry. */
export function isCataloguedService(slug: string): slug is ServiceSlug {
  return Object.prototype.hasOwnProperty.call(SERVICE_EVENTS, slug);
}
