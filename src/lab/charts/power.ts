// `energy`, `frequency` and `temperature`: per-CPU heat maps of the power model's series, with
// cumulative joules, the mean frequency, or the hottest core against the throttle trip point.
import type { ChartOutput } from '../outputs/contract';
import type { ChartRun } from './common';
import { ChartError } from './error';
import { heatmapChart } from './heatmap';

type SeriesField = 'powerW' | 'frequencyHz' | 'temperatureC';

/** Every run must carry the series; say which machine key adds it when one does not. */
function requireSeries(runs: readonly ChartRun[], field: SeriesField, machineKey: string): void {
  const missing = runs.filter((r) => r.result.series.cpus.some((c) => c[field] === undefined)).map((r) => r.name);
  if (missing.length > 0) {
    throw new ChartError(`Run ${missing.join(', ')} has no ${field} series: give its machine a ${machineKey} section.`);
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const fileTitle = (kind: string, runs: readonly ChartRun[]) => `${kind}-${runs.map((r) => r.name).join('-')}`;

export function energyChart(runs: readonly ChartRun[]): ChartOutput {
  requireSeries(runs, 'powerW', 'power:');
  const joules = runs.map((r) => `${r.name}: ${(r.result.summary.energyJ ?? 0).toFixed(2)} J`).join(', ');
  return heatmapChart(
    runs,
    {
      title: 'Power and energy',
      subtitle: `power drawn by each CPU (top); energy used so far by all CPUs (bottom; in total ${joules})`,
      series: (cpu) => cpu.powerW ?? [],
      valueTitle: 'power (W)',
      valueFormat: '.2f',
      scheme: 'yelloworangered',
      line: { title: 'energy (J)', of: sum, cumulative: true },
    },
    fileTitle('energy', runs),
  );
}

export function frequencyChart(runs: readonly ChartRun[]): ChartOutput {
  requireSeries(runs, 'frequencyHz', 'power: (and pstates:)');
  const ranges = runs.map((r) => r.result.series.frequency).filter((f) => f !== undefined);
  const minHz = Math.min(...ranges.map((f) => f.minHz));
  const maxHz = Math.max(...ranges.map((f) => f.maxHz));
  const governors = [...new Set(ranges.map((f) => f.governor))].join(', ');
  return heatmapChart(
    runs,
    {
      title: 'CPU frequency (DVFS)',
      subtitle: `clock of each CPU, governor ${governors} (top); mean over CPUs (bottom)`,
      series: (cpu) => (cpu.frequencyHz ?? []).map((hz) => hz / 1e9),
      valueTitle: 'frequency (GHz)',
      valueFormat: '.2f',
      // From the lowest P-state: the contrast shows the governor's choices (a failed CPU, at 0, clamps to the palest).
      domain: Number.isFinite(minHz) ? [minHz / 1e9, maxHz / 1e9] : undefined,
      scheme: 'purples',
      line: { title: 'mean frequency (GHz)', of: (values) => sum(values) / values.length },
    },
    fileTitle('frequency', runs),
  );
}

export function temperatureChart(runs: readonly ChartRun[]): ChartOutput {
  requireSeries(runs, 'temperatureC', 'thermal:');
  const thermal = runs.map((r) => r.result.series.thermal).find((t) => t !== undefined);
  return heatmapChart(
    runs,
    {
      title: 'Core temperature',
      subtitle: 'temperature of each core (top); the hottest core, against the throttle trip point (bottom)',
      series: (cpu) => cpu.temperatureC ?? [],
      valueTitle: 'temperature (°C)',
      valueFormat: '.1f',
      scheme: 'orangered',
      line: {
        title: 'hottest core (°C)',
        of: (values) => Math.max(...values),
        rule: thermal && { value: thermal.tripC, label: `throttle at ${thermal.tripC} °C` },
      },
    },
    fileTitle('temperature', runs),
  );
}
