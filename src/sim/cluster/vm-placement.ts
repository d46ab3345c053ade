/**
 * Where a virtual machine goes (docs/model.md, "Virtual machines on hosts"): the placement
 * policies first-fit, best-fit, worst-fit and first-fit-decreasing over hosts with two
 * capacities, vCPU slots (cores x the CPU overcommit ratio) and RAM. Pure: hosts are capacities
 * and what is already used, VMs are requests; the same input gives the same placement.
 *
 * Ranking (ours, stated so tests can compute it by hand): best-fit takes the host with the
 * fewest vCPU slots left after the VM, worst-fit the most; ties go to the less (best-fit) or
 * more (worst-fit) RAM left, then to the lower host index. CloudSim Plus ranks by PEs in use
 * (VmAllocationPolicyBestFit: most busy PEs; WorstFit: most free PEs), which is the same order on
 * identical hosts.
 */
import type { EnumKey } from '../spec';

export const VM_PLACEMENTS = {
  'first-fit': 'The first host, in order, with room for the VM.',
  'best-fit': 'The host with room that has the fewest vCPU slots left after it (then the least RAM).',
  'worst-fit': 'The host with room that has the most vCPU slots left after it (then the most RAM).',
  'first-fit-decreasing':
    'VMs sorted by vCPUs then RAM, largest first, each placed first-fit (later single VMs: first-fit).',
} as const;

export type VmPlacementName = keyof typeof VM_PLACEMENTS;

export const VM_PLACEMENT: EnumKey = {
  kind: 'enum',
  values: VM_PLACEMENTS,
  default: 'first-fit',
  doc: 'How VMs are placed on hosts at the start and how migration targets are chosen.',
  source: 'CloudSim Plus VmAllocationPolicyFirstFit (its default), BestFit, WorstFit',
};

/** What a host can hold. */
export interface HostCapacity {
  /** floor(cores x overcommit): how many vCPUs may be placed on it. */
  vcpuSlots: number;
  ramBytes: number;
}

/** What a VM asks for (and, summed, what a host has given). */
export interface VmSize {
  vcpus: number;
  ramBytes: number;
}

/** vCPU slots of a host of `cores` cores at CPU overcommit `ratio` (a tiny epsilon so 4 x 1.5 is 6, not 5). */
export function vcpuSlots(cores: number, ratio: number): number {
  return Math.floor(cores * ratio + 1e-9);
}

export function fits(cap: HostCapacity, used: VmSize, vm: VmSize): boolean {
  return used.vcpus + vm.vcpus <= cap.vcpuSlots && used.ramBytes + vm.ramBytes <= cap.ramBytes;
}

/**
 * The host `policy` picks for `vm` among those `allowed` (default: all) with room, or -1.
 * First-fit-decreasing places one VM as first-fit: the decreasing order is over a batch (placeAll).
 */
export function chooseHost(
  policy: VmPlacementName,
  caps: readonly HostCapacity[],
  used: readonly VmSize[],
  vm: VmSize,
  allowed: (host: number) => boolean = () => true,
): number {
  let best = -1;
  let bestSlots = 0;
  let bestRam = 0;
  for (let h = 0; h < caps.length; h++) {
    if (!allowed(h) || !fits(caps[h]!, used[h]!, vm)) continue;
    if (policy === 'first-fit' || policy === 'first-fit-decreasing') return h;
    const slots = caps[h]!.vcpuSlots - used[h]!.vcpus - vm.vcpus;
    const ram = caps[h]!.ramBytes - used[h]!.ramBytes - vm.ramBytes;
    // Strictly better only, so the lower index keeps a tie.
    const better =
      best < 0 ||
      (policy === 'best-fit'
        ? slots < bestSlots || (slots === bestSlots && ram < bestRam)
        : slots > bestSlots || (slots === bestSlots && ram > bestRam));
    if (better) {
      best = h;
      bestSlots = slots;
      bestRam = ram;
    }
  }
  return best;
}

/** The order first-fit-decreasing places `vms` in: more vCPUs first, then more RAM, then the given order. */
export function decreasingOrder(vms: readonly VmSize[]): number[] {
  return vms
    .map((_, i) => i)
    .sort((a, b) => vms[b]!.vcpus - vms[a]!.vcpus || vms[b]!.ramBytes - vms[a]!.ramBytes || a - b);
}

/**
 * Places every VM of `vms` in turn (first-fit-decreasing: in decreasing order) on hosts that
 * start with `used` (default: empty). Returns each VM's host, -1 where none had room, and the
 * hosts' use afterwards.
 */
export function placeAll(
  policy: VmPlacementName,
  caps: readonly HostCapacity[],
  vms: readonly VmSize[],
  used: readonly VmSize[] = caps.map(() => ({ vcpus: 0, ramBytes: 0 })),
): { hostOf: number[]; used: VmSize[] } {
  const now = used.map((u) => ({ ...u }));
  const hostOf = vms.map(() => -1);
  const order = policy === 'first-fit-decreasing' ? decreasingOrder(vms) : vms.map((_, i) => i);
  for (const i of order) {
    const h = chooseHost(policy, caps, now, vms[i]!);
    if (h < 0) continue;
    hostOf[i] = h;
    now[h]!.vcpus += vms[i]!.vcpus;
    now[h]!.ramBytes += vms[i]!.ramBytes;
  }
  return { hostOf, used: now };
}

/** Hosts a placement uses (with at least one VM). */
export function hostsUsed(hostOf: readonly number[]): number {
  return new Set(hostOf.filter((h) => h >= 0)).size;
}
