// Error classes of @decnet/topology: one per failure a caller can act on. Context lives in
// readonly fields; the message is one line a CLI can print as is.
import { DecnetError } from '@decnet/core';

/**
 * Thrown when operator input cannot be used: an unknown service, archetype or distro, a bad
 * CIDR, overlapping subnets, more deckies than a subnet holds, a duplicate name, a malformed
 * INI file. `field` names the offending input (a flag, an INI key, a config field).
 */
export class TopologyInputError extends DecnetError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown when an IP or subnet allocator has no address left; `parent` is the CIDR it walks. */
export class AllocatorExhaustedError extends DecnetError {
  constructor(
    readonly parent: string,
    readonly what: 'address' | 'subnet',
  ) {
    super(`no free ${what} left in ${parent}`);
  }
}

/** Thrown when an address or subnet cannot be reserved (malformed, outside the parent, reserved). */
export class InvalidAddressError extends DecnetError {
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {
    super(`${address}: ${reason}`);
  }
}

/** Thrown when a topology status change is not in the transition table (or a status is unknown). */
export class TopologyStatusError extends DecnetError {
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`illegal topology status transition ${from} -> ${to}`);
  }
}

/** Thrown when a write carries an `expectedVersion` that no longer matches the stored version. */
export class VersionConflictError extends DecnetError {
  constructor(
    readonly current: number,
    readonly expected: number,
  ) {
    super(`version conflict: topology is at version ${current}, caller expected ${expected}`);
  }
}

/** Thrown when a design-time edit targets a topology that is no longer `pending`. */
export class TopologyNotEditableError extends DecnetError {
  constructor(readonly status: string) {
    super(`topology is ${status}; only pending topologies can be edited (use the mutation queue)`);
  }
}

/** Thrown when a topology, LAN, decky or mutation id does not exist. */
export class TopologyNotFoundError extends DecnetError {
  constructor(
    readonly kind: 'topology' | 'lan' | 'decky' | 'edge' | 'mutation',
    readonly key: string,
  ) {
    super(`${kind} ${JSON.stringify(key)} not found`);
  }
}

/** Thrown when a name that must be unique (topology, LAN or decky within a topology) is taken. */
export class NameTakenError extends DecnetError {
  constructor(
    readonly kind: 'topology' | 'lan' | 'decky',
    readonly taken: string,
  ) {
    super(`${kind} name ${JSON.stringify(taken)} is already taken`);
  }
}

/** Thrown when removing a LAN would leave a decky with no LAN at all. */
export class OrphanedDeckyError extends DecnetError {
  constructor(
    readonly lan: string,
    readonly decky: string,
  ) {
    super(`deleting LAN ${lan} would leave decky ${decky} orphaned (it has no other LAN)`);
  }
}

/** Thrown when a rendered compose document fails the Compose Specification schema. */
export class ComposeSchemaError extends DecnetError {
  constructor(
    readonly problems: readonly string[],
  ) {
    super(`rendered compose file is not valid: ${problems[0] ?? 'unknown problem'}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}`);
  }
}

/** Thrown when a topology fails validation; `issues` holds every error found. */
export class TopologyInvalidError extends DecnetError {
  constructor(
    readonly issues: readonly { readonly code: string; readonly message: string }[],
  ) {
    const first = issues[0];
    super(`topology is invalid: ${first ? `${first.code}: ${first.message}` : 'unknown'}${issues.length > 1 ? ` (+${issues.length - 1} more)` : ''}`);
  }
}
