/**
 * The blueprint of the deception network, with no I/O beyond hashing: the catalog of honeypot
 * services, archetypes, distros and OS fingerprints; fleet generation for `decnet deploy`
 * (flags or an INI file); MazeNET topology generation, validation, the status machine and the
 * topology hash; compose rendering checked against the Compose Specification schema; and the
 * `TopologyRepository` boundary that @decnet/db implements. Never imports the database layer.
 *
 * ```ts
 * import { buildFleet, renderFleetCompose, assertValidCompose, composeToYaml } from '@decnet/topology';
 * const plan = buildFleet({ seed: 7, interface: 'eth0', subnet: '192.168.1.0/24', deckies: 3, randomizeServices: true });
 * const doc = renderFleetCompose(plan);
 * assertValidCompose(doc);
 * process.stdout.write(composeToYaml(doc));
 * ```
 * @module
 */

// catalog/services.ts
export type { ArtifactVolume, CoercedConfig, ConfigField, ConfigFieldType, ConfigValue, ServiceDef } from './catalog/services.js';
export { DECKY_SERVICE_SLUGS, FILES_MOUNT, SERVICES, coerceServiceConfig, getService, isDeckyService, serviceEnvironment, serviceUdpPorts } from './catalog/services.js';
// catalog/archetypes.ts
export type { ArchetypeDef } from './catalog/archetypes.js';
export { ARCHETYPES, getArchetype } from './catalog/archetypes.js';
// catalog/distros.ts
export type { DistroDef, HostnameStyle } from './catalog/distros.js';
export { DISTROS, HOSTNAME_WORDS, TOPOLOGY_BASE_DISTRO, buildBaseImageRef, distroImageRef, generateHostname, getDistro } from './catalog/distros.js';
// catalog/os-profiles.ts
export type { OsFamily } from './catalog/os-profiles.js';
export { OS_FAMILIES, OS_SYSCTL_KEYS, isOsFamily, osSysctls } from './catalog/os-profiles.js';
// compose.ts
export type { ComposeFile, ComposeNetwork, ComposeService, FragmentInput } from './compose.js';
export { CONTAINER_LOGGING, DEFAULT_ARTIFACTS_ROOT, DEFAULT_TEMPLATES_ROOT, composeToYaml, serviceFragment } from './compose.js';
// compose-validate.ts
export { assertValidCompose, composeProblems } from './compose-validate.js';
// deploy.ts
export type { ContainerState, DeployOutcome, TopologyDriver } from './deploy.js';
export { MAX_REASON_CONTAINERS, deployTopology, teardownTopology } from './deploy.js';
// errors.ts
export {
  AllocatorExhaustedError,
  ComposeSchemaError,
  InvalidAddressError,
  NameTakenError,
  OrphanedDeckyError,
  TopologyInputError,
  TopologyInvalidError,
  TopologyNotEditableError,
  TopologyNotFoundError,
  TopologyStatusError,
  VersionConflictError,
} from './errors.js';
// fleet.ts
export type { FleetDecky, FleetOptions, FleetPlan, RenderPaths } from './fleet.js';
export { FLEET_NETWORK, FLEET_PROJECT, HOSTNAME_REDRAWS, MAX_FLEET_DECKIES, SERVICE_REDRAWS, allocateFleetIps, buildFleet, renderFleetCompose } from './fleet.js';
// fleet-ini.ts
export type { CustomServiceDef, FleetIni, FleetIniDecky, FleetIniGeneral } from './fleet-ini.js';
export { MAX_SECTION_AMOUNT, NAME_PATTERN, isHostPort, readFleetIni, splitList } from './fleet-ini.js';
// generator.ts
export type { GenerateOptions, GeneratedDecky, GeneratedEdge, GeneratedLan, GeneratedTopology } from './generator.js';
export { DMZ_NAME, generateTopology } from './generator.js';
// hash.ts
export { FLOAT_KEYS, VOLATILE_KEYS, canonicalHash, canonicalJson, compareCodePoints, pythonFloatRepr, pythonJsonString, stripVolatile } from './hash.js';
// ini.ts
export type { IniEntry, IniResult, IniSection } from './ini.js';
export { MAX_INI_BYTES, parseIni } from './ini.js';
// memory-repository.ts
export type { MemoryRepositoryOptions } from './memory-repository.js';
export { MemoryTopologyRepository } from './memory-repository.js';
// model.ts
export type {
  DeckyConfig,
  DeckyRow,
  DeckyState,
  EdgeRow,
  HydratedTopology,
  LanRow,
  MutationOp,
  MutationRow,
  MutationState,
  StatusEvent,
  TopologyMode,
  TopologyStatus,
  TopologySummary,
} from './model.js';
export { DECKY_STATES, MUTATION_OPS, MUTATION_STATES, TOPOLOGY_STATUSES } from './model.js';
// net.ts
export type { Cidr, ParseResult } from './net.js';
export {
  IpAllocator,
  LAN_PREFIX,
  SubnetAllocator,
  broadcastOf,
  cidrContains,
  cidrSize,
  cidrsOverlap,
  defaultGateway,
  formatCidr,
  formatIpv4,
  orderIpsByLan,
  parseCidr,
  parseIpv4,
  parseSubnetBase,
  smallestCovering,
} from './net.js';
// persist.ts
export type { PersistOptions } from './persist.js';
export { hydrateGenerated, hydrateTopology, persistTopology, topologyGraphOf, transitionStatus } from './persist.js';
// random.ts
export type { Rng } from './random.js';
export { MAX_SEED, createRng, freshSeed } from './random.js';
// repository.ts
export type {
  DeckyPatch,
  LanPatch,
  NewDecky,
  NewEdge,
  NewLan,
  NewTopology,
  NewTopologyGraph,
  TopologyListFilter,
  TopologyRepository,
  WriteOptions,
} from './repository.js';
// status.ts
export {
  LIVE_STATUSES,
  SUBNET_HOLDING_STATUSES,
  TOPOLOGY_TRANSITIONS,
  UNDELETABLE_STATUSES,
  assertTransition,
  isLegalTransition,
  isTopologyStatus,
} from './status.js';
// topology-compose.ts
export type { PortConflict, TopologyRender } from './topology-compose.js';
export { lanNetworkName, renderTopologyCompose, topologyComposeFileName, topologyPrefix, topologyProject, topologyShortId } from './topology-compose.js';
// topology-config.ts
export type { TopologyConfig, TopologyConfigInput } from './topology-config.js';
export { DEFAULT_SUBNET_BASE, readTopologyConfig, topologyConfigSchema } from './topology-config.js';
// validate.ts
export type { RuleGroup, ValidationCode, ValidationIssue } from './validate.js';
export { DEFAULT_RULES, MUTATION_RULES, TOPOLOGY_NAME_PATTERN, VALIDATION_CODES, validateTopology } from './validate.js';
