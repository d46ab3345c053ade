// What a worker has used so far: CPU time (user + system) and resident memory, read from
// Linux's /proc for a process or one thread of it. Elsewhere there is no such file, and the
// pool falls back to wall-clock time, saying so.
import { readFileSync, readlinkSync } from 'node:fs';
import type { Usage } from './limits';

/** /proc reports CPU time in clock ticks of USER_HZ, which Linux fixes at 100 per second. */
const TICK_MS = 10;

function cpuMsOf(statPath: string): number | undefined {
  try {
    const stat = readFileSync(statPath, 'utf8');
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) * TICK_MS : undefined;
  } catch {
    return undefined;
  }
}

/** A process's CPU time (all its threads) and resident memory, or undefined when /proc has no answer. */
export function processUsage(pid: number): Usage | undefined {
  const cpuMs = cpuMsOf(`/proc/${pid}/stat`);
  if (cpuMs === undefined) return undefined;
  let rssMb: number | undefined;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) rssMb = Number(m[1]) / 1024;
  } catch {
    // gone already
  }
  return { cpuMs, rssMb };
}

/** One thread's CPU time. */
export function threadUsage(pid: number, tid: number): Usage | undefined {
  const cpuMs = cpuMsOf(`/proc/${pid}/task/${tid}/stat`);
  return cpuMs === undefined ? undefined : { cpuMs };
}

/** The OS thread id of the calling thread (a worker thread tells its pool), when /proc knows it. */
export function currentThreadId(): number | undefined {
  try {
    // /proc/thread-self -> "<pid>/task/<tid>"
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) ? tid : undefined;
  } catch {
    return undefined;
  }
}
