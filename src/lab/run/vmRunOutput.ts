// What a run of VMs on a cluster shows: its totals as a run summary under the metric names
// checks, results records and compare read (src/lab/outputs/metrics.ts), and three Markdown
// tables: one row per host, one per VM, one per migration with its live-migration record.
import { type VmClusterResult, type VmMigrationRow } from '../../sim';
import type { ResolvedVmRun } from '../language/resolveLab';
import type { RunOutput } from '../outputs/contract';
import { vmRunPolicy } from './runPolicy';
import { formatMetric } from '../outputs/format';

/** The run summary of a VM run: the simulator's totals, each under its metric name. */
export function vmRunSummary(result: VmClusterResult): RunOutput['summary'] {
  const byReason: Record<string, number> = {};
  for (const m of result.migrations) byReason[m.reason] = (byReason[m.reason] ?? 0) + 1;
  return {
    simulatedS: result.simulatedS,
    energyJ: result.energyJ,
    hostsOnMeanCount: result.hostsOnMean,
    overloadFraction: result.overloadFraction,
    migrations: result.migrations.length,
    migrationsByReason: byReason,
    migrationDowntimeS: result.migrationDowntimeS,
    stealS: result.stealS,
    // Only a run with fail events has them (a run without is summarised as before).
    ...(result.failures === undefined
      ? {}
      : {
          vmsFailed: result.failures.vmsFailed,
          vmRestarts: result.failures.restarts,
          vmsDownAtEnd: result.failures.vmsDownAtEnd,
          vmDownS: result.failures.downS,
          unmetDemandS: result.failures.unmetDemandS,
        }),
    ...(result.hotspot === undefined ? {} : { hostPeakC: result.hotspot.peakC, hotHostS: result.hotspot.hotS }),
  };
}

/** A VM run's output: the summary above, and how to reproduce it (its digest names the whole result). */
export function vmRunOutput(run: ResolvedVmRun, result: VmClusterResult): RunOutput {
  return {
    name: run.name,
    policy: vmRunPolicy(run.config),
    scheduler: run.config.scheduler.kind,
    machine: `${run.clusterName} (${result.hosts.length} hosts, ${run.config.policy.name})`,
    workload: run.vmsNames.join(', '),
    seed: run.config.seed,
    durationS: run.config.durationNs / 1e9,
    digest: result.digest,
    summary: vmRunSummary(result),
  };
}

const table = (head: readonly string[], rows: readonly (readonly string[])[]): string[] => [
  `| ${head.join(' | ')} |`,
  `|---|${head
    .slice(1)
    .map(() => '---:')
    .join('|')}|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
];

const seconds = (s: number) => formatMetric('simulatedS', s);

/**
 * One migration's row: when, what, why, its record's rounds and time, and what it sent and the
 * downtime it caused within the run (a move still running at the end says so).
 */
function migrationRow(m: VmMigrationRow): string[] {
  const r = m.record;
  const stop = r.converged ? r.stop : `${r.stop} (not converged)`;
  return [
    m.vm,
    `${m.from} → ${m.to}`,
    m.reason,
    seconds(m.startNs / 1e9),
    r.method,
    String(r.rounds.length),
    `${(m.sentBytes / 2 ** 30).toFixed(2)} GiB`,
    seconds(r.totalNs / 1e9),
    seconds(m.downtimeInRunNs / 1e9),
    m.cutNs !== undefined
      ? `cut short at ${seconds(m.cutNs / 1e9)}: ${m.outcome === 'source-failed' ? 'source' : 'target'} failed`
      : m.finished
        ? stop
        : `${stop}, unfinished at the end`,
  ];
}

/** The hosts, VMs and migrations of a VM run as Markdown tables. */
export function vmRunMarkdown(output: RunOutput, result: VmClusterResult): string {
  const hosts = result.hosts.map((h) => [
    h.host,
    `${h.state}${h.maintenance ? ' (maintenance)' : ''}`,
    String(h.vms.length),
    seconds(h.onS),
    String(h.boots),
    seconds(h.busyS),
    seconds(h.overloadS),
    formatMetric('energyJ', h.energyJ),
    ...(h.thermal === undefined ? [] : [formatMetric('hostPeakC', h.thermal.peakC), seconds(h.thermal.hotS)]),
  ]);
  const heat = result.hotspot !== undefined;
  const failures = result.failures;
  const vms = result.vms.map((v) => [
    v.vm,
    v.host === '' ? 'down' : v.host,
    seconds(v.offeredS),
    seconds(v.workS),
    seconds(v.stealS),
    seconds(v.downtimeS),
    String(v.migrations),
    ...(failures === undefined ? [] : [seconds(v.downS!), String(v.restarts!)]),
  ]);
  const vmHead = ['VM', 'host', 'offered (vCPU-s)', 'work done', 'steal', 'downtime', 'moves'];
  return [
    `**${output.name}**: ${output.policy} on ${output.machine}, seed ${output.seed}`,
    '',
    ...table(
      [
        'host',
        'state',
        'VMs',
        'on',
        'boots',
        'busy (core-s)',
        'overloaded',
        'energy',
        ...(heat ? ['peak temperature', 'time hot'] : []),
      ],
      hosts,
    ),
    '',
    ...table(failures === undefined ? vmHead : [...vmHead, 'down (host failed)', 'restarts'], vms),
    '',
    ...(failures === undefined || failures.restartLog.length === 0
      ? []
      : [
          ...table(
            ['VM', 'restart', 'reason', 'down at', 'restarted at'],
            failures.restartLog.map((x) => [
              x.vm,
              `${x.from} → ${x.to}`,
              x.reason,
              seconds(x.downAtNs / 1e9),
              seconds(x.atNs / 1e9),
            ]),
          ),
          '',
        ]),
    ...(result.migrations.length === 0
      ? ['No migrations.']
      : table(
          ['VM', 'move', 'reason', 'at', 'method', 'rounds', 'sent', 'total', 'downtime', 'stop'],
          result.migrations.map(migrationRow),
        )),
  ].join('\n');
}
