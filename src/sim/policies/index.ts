/** Registry of migration policies by name. */
import { globalQueue, leastLoaded, pinned, random } from './baseline';
import type { PolicyFactory } from './policy';

export const POLICY_NAMES = ['pinned', 'random', 'least-loaded', 'global-queue'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export const POLICIES: Record<PolicyName, PolicyFactory> = {
  pinned,
  random,
  'least-loaded': leastLoaded,
  'global-queue': globalQueue,
};

export type { Policy, PolicyActions, PolicyContext, PolicyFactory, SimView, ProcessStateName } from './policy';
