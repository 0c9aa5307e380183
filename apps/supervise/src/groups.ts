// Hosting groups, declared in one place. Membership is an architectural decision made by
// failure domain (upstream's lesson): workers that share a group share a process, its memory
// and its fate; heavy or privileged workers stay apart. Each worker names its group in its
// package.json (`decnet.worker.group`); catalog.ts derives the members.

/** Why each group exists. */
export const GROUPS: Readonly<Record<string, string>> = {
  fixtures: 'FIXTURE group: the runtime fixtures, for footprint and isolation tests',
  herd: 'idle, event-driven workers (webhook, canary, enrich, ...): one process pays the floor once',
  batch: 'timer-driven workers that act on deckies (reconciler, mutator, orchestrator)',
  cpu: 'clustering and correlation; CPU kernels run in a worker_threads pool',
  heavy: 'large-heap workers (profiler, ttp)',
  pipeline: 'ingestion on the master (collector, listener, ingester): the event path',
  agent: 'runs on decky hosts that ship their logs to the master (forwarder)',
};
