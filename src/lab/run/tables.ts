// A run's results as flat tables (rows of plain values): what raw Vega-Lite charts read and
// what CSV exports write.
import { MISS_CAUSES, type SimResult } from '../../sim';

export const TABLE_NAMES = ['series', 'processes', 'migrations', 'summary'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

export type Row = Record<string, string | number | null>;

function seriesRows(result: SimResult): Row[] {
  const { binNs, cpus } = result.series;
  const startNs = result.series.startNs ?? 0;
  const rows: Row[] = [];
  for (const cpu of cpus) {
    cpu.utilization.forEach((utilization, bin) => {
      const row: Row = {
        cpu: cpu.cpu,
        socket: cpu.socket,
        tS: (startNs + bin * binNs) / 1e9,
        utilization,
        queueLength: cpu.queueLength[bin],
      };
      for (const cause of MISS_CAUSES) row[`misses_${cause}`] = cpu.missesByCause[cause][bin];
      rows.push(row);
    });
  }
  return rows;
}

function summaryRow(result: SimResult): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(result.summary)) {
    if (typeof value === 'number') row[key] = value;
    else for (const [part, count] of Object.entries(value as Record<string, number>)) row[`${key}_${part}`] = count;
  }
  return row;
}

export function resultTable(result: SimResult, table: TableName): Row[] {
  switch (table) {
    case 'series':
      return seriesRows(result);
    case 'processes':
      return result.processes.map((p) => ({ ...p }));
    case 'migrations':
      return result.migrations.map((m) => ({ ...m }));
    case 'summary':
      return [summaryRow(result)];
  }
}
