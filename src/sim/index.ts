/** The simulator's public API. Pure TypeScript: no editor API, no Node-only APIs, no wall clock, only seeded randomness. */
export { Simulation, simulate, type SimOptions } from './simulation';
export { SimConfigError, SimPolicyError } from './errors';
export { MACHINE_PRESETS, resolveMachine, type ResolvedMachine } from './machine';
export { POLICY_NAMES, type PolicyName } from './policies/index';
export type {
  CpuEvent,
  PeriodicTaskInfo,
  Policy,
  PolicyActions,
  PolicyContext,
  PolicyFactory,
  ProcessStateName,
  SimView,
} from './policies/policy';
export { REASONS, MISS_CAUSES, SCHEDULERS, GOVERNORS } from './config';
export type * from './config';
export type * from './result';
export type { TraceHook, TraceKind } from './engine';
export type { MoveHook, TracedMove } from './migration';
export { parseTrace } from './trace';
export { processesUpTo, uunifast } from './workload';
export { distMean } from './distributions';
export { canonicalDigest, canonicalJson, portableSha256, sha256Hex, type Sha256, type Sha256Factory } from './digest';
export { SIM_VERSION } from './version';
export type { EnumKey, KeySpec, ListKey, NameKey, NumberKey, Section, SectionKey, SyntaxKey, Unit } from './spec';
export { MACHINE } from './machine';
export { GROUP, PERIODIC, TASK_SET } from './workload';
export { OUTPUT, RUN, SCHEDULER } from './resolve';
export { POLICY_INFO } from './policies/index';
export type { ParamSpec, ParamSpecs } from './policies/params';
export { resolveWorkload } from './workload';
export { resolveConfig } from './resolve';
export { Rng } from './rng';
export {
  AUTO_CONVERGE,
  LIVE_MIGRATION_LINK,
  LIVE_MIGRATION_METHOD,
  LIVE_MIGRATION_METHODS,
  LIVE_MIGRATION_VM,
  POST_COPY,
  PRE_COPY,
  resolveLiveMigration,
  simulateLiveMigration,
} from './cluster/live-migration';
export type {
  AutoConvergeConfig,
  LiveMigrationConfig,
  LiveMigrationLinkConfig,
  LiveMigrationMethodName,
  LiveMigrationPhase,
  LiveMigrationRecord,
  LiveMigrationRound,
  LiveMigrationStop,
  LiveMigrationVmConfig,
  PostCopyConfig,
  PreCopyConfig,
  ResolvedLiveMigration,
  StopAndCopyConfig,
} from './cluster/live-migration';
export { BALANCER, BALANCER_POLICIES, HEALTH, type BalancerPolicyName } from './cluster/balancer';
export { AUTOSCALE, type ScaleEvent } from './cluster/autoscaler';
export { HashRing, hashName, mix32, sessionPosition } from './cluster/hash-ring';
export { HOST_EVENT, type HostEventConfig, type HostEventKind } from './cluster/host-events';
export { HOST_POWER } from './cluster/host-power';
export {
  CLUSTER_LINK,
  MAX_HOSTS,
  REQUEST_LINK,
  resolveCluster,
  SERVICE,
  type ClusterConfig,
  type ClusterHostConfig,
  type HostPowerConfig,
  type ServiceConfig,
} from './cluster/cluster-config';
export {
  ClusterSimulation,
  simulateCluster,
  type ClusterOptions,
  type ClusterResult,
  type RequestStats,
  type ServerResult,
} from './cluster/cluster-simulation';
export {
  chooseHost,
  decreasingOrder,
  fits,
  hostsUsed,
  placeAll,
  vcpuSlots,
  VM_PLACEMENT,
  VM_PLACEMENTS,
  type HostCapacity,
  type VmPlacementName,
  type VmSize,
} from './cluster/vm-placement';
export { LOAD_BINS } from './cluster/load-bins';
export {
  MAX_NOISY_STEPS,
  MAX_VM_HOSTS,
  MAX_VMS,
  resolveVmCluster,
  VM_CLUSTER,
  VM_LOAD,
  VM_MIGRATION,
  type VmClusterConfig,
  type VmConfig,
  type VmHostConfig,
  type VmLoadConfig,
  type VmHostEvent,
  type VmMigrationPolicyConfig,
} from './cluster/vm-config';
export { MAD_MIN_HISTORY, medianAbsoluteDeviation, overloadThreshold } from './cluster/vm-policies';
export { VM_HOTSPOT, type HotspotConfig } from './cluster/vm-hotspot';
export {
  segmentsOf,
  simulateVmCluster,
  VmClusterSimulation,
  type HostPowerState,
  type VmClusterOptions,
  type VmClusterResult,
  type VmFailuresResult,
  type VmHostResult,
  type VmRestartRow,
  type MoveCut,
  type VmMigrationRow,
  type VmResult,
  type VmSegment,
} from './cluster/vm-cluster-simulation';
