// The body of a Node worker (thread or process): simulations as in any worker, plus the jobs
// only Node workers take: drawing a chart to SVG, and executing one cell of a lab's text,
// resolved here (grading: a submission is only ever resolved and run inside its own worker).
import { drawChartSvg } from '../lab/charts/draw';
import { LabSession } from '../lab/notebook/execute';
import { parseLab, type ParsedLabCell } from '../lab/document/markdown';
import type { TopLevelSpec } from 'vega-lite';
import type { Sha256Factory } from '../sim';
import { handleCluster, handleRun, handleVmCluster } from './handleRun';
import type { Job, WorkerReply } from './protocol';
import { inProcessRunHost, toRunError } from './runSimulation';

/** The lab the last cell job came from: the next cell of the same text reuses its session (and runs). */
let lab: { text: string; cells: ParsedLabCell[]; session: LabSession } | undefined;

async function executeCell(text: string, index: number): Promise<unknown> {
  if (lab?.text !== text) lab = { text, cells: parseLab(text), session: new LabSession(inProcessRunHost) };
  return lab.session.execute(lab.cells, index, { signal: new AbortController().signal });
}

export async function handleJob(job: Job, post: (reply: WorkerReply) => void, sha256?: Sha256Factory): Promise<void> {
  if (job.kind === 'simulate') return handleRun(job, post, sha256);
  if (job.kind === 'cluster') return handleCluster(job, post, sha256);
  if (job.kind === 'vm-cluster') return handleVmCluster(job, post, sha256);
  try {
    if (job.kind === 'draw') post({ type: 'drawn', svg: await drawChartSvg(job.spec as TopLevelSpec) });
    else post({ type: 'cell', outcome: await executeCell(job.labText, job.index) });
  } catch (error) {
    const { name, message, path, location } = toRunError(error);
    post({ type: 'error', name, message, path, location });
  }
}
