// Errors of the decnet PKI: each names one failure the `decnet pki` command reports to the user.
import { DecnetError } from '@decnet/core';

/** Thrown when a certificate name (the CN) breaks the naming rule; `reason` says which part. */
export class InvalidCertNameError extends DecnetError {
  constructor(
    readonly certName: string,
    readonly reason: string,
  ) {
    super(`invalid certificate name ${JSON.stringify(certName)}: ${reason}`);
  }
}

/** Thrown when a subjectAltName entry is neither an IP address nor a DNS name. */
export class InvalidSanError extends DecnetError {
  constructor(readonly value: string) {
    super(`invalid subjectAltName ${JSON.stringify(value)}: expected an IP address, a DNS name, IP:<addr> or DNS:<name>`);
  }
}

/** Thrown when writing would replace an existing file and `force` was not given. */
export class PkiFileExistsError extends DecnetError {
  constructor(readonly path: string) {
    super(`${path} already exists; refusing to overwrite it (use --force to replace it)`);
  }
}

/** Thrown when the CA files are missing from the PKI directory. */
export class CaNotFoundError extends DecnetError {
  constructor(
    readonly dir: string,
    readonly missing: string,
  ) {
    super(`no CA in ${dir}: ${missing} is missing (run "decnet pki init" first)`);
  }
}

/** Thrown when the CA key and certificate do not belong together, or the CA is unusable (expired, not a CA). */
export class CaUnusableError extends DecnetError {
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`the CA in ${dir} cannot sign: ${reason}`);
  }
}

/** Thrown when PEM or DER input is malformed. */
export class PkiFormatError extends DecnetError {}
