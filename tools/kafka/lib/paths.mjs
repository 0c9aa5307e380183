// Where the Kafka tool keeps what it downloads and generates: everything under tools/kafka/.kafka
// (gitignored), and the broker version those jars are.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Broker version fetched by pom.xml; kept in step with its `kafka.version`. */
export const KAFKA_VERSION = '3.9.2';
/** Directory of this tool (tools/kafka). */
export const TOOL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Everything downloaded or generated lives here (gitignored). */
export const KAFKA_HOME = join(TOOL_DIR, '.kafka');
/** The broker's class path. */
export const LIB_DIR = join(KAFKA_HOME, 'lib');
/** Held while Maven fetches jars, so concurrent starts fetch once. */
export const FETCH_LOCK = join(KAFKA_HOME, 'fetch.lock');
/** One file per running broker: lets a later start kill brokers whose owner process died. */
export const RUN_DIR = join(KAFKA_HOME, 'run');
/** Class-data-sharing archives: a broker's classes, mapped at start instead of parsed (~45% less CPU). */
export const CDS_DIR = join(KAFKA_HOME, 'cds');
/** Data directory the CLI uses when none is given (persists between `start`s). */
export const CLI_DATA_DIR = join(KAFKA_HOME, 'data');
