/**
 * Every built-in policy keeps its digest on a 4-CPU and a 64-CPU machine (policy-digests.ts):
 * the policies' incremental indexes must choose exactly what their scans chose. The digests were
 * taken on main at 5c3d293, before the indexes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POLICY_NAMES, Simulation } from '../../src/sim/index';
import { digestConfig } from './policy-digests';

const DIGESTS: Record<string, string> = {
  'pinned@4': 'edfff9c823a44aa6504e3fc1ad83ee6faa063b1e870ba2f0b6a403fd742e45a3',
  'pinned@64': '21184d6cb79f0c366adf586976e6117d1d29258eefd470e7d56376d95e91157e',
  'random@4': 'db15165ee62a8059f503bb518620ddd59fc25da67dd3b4eae803741c770bf830',
  'random@64': '9f5052279d009385e9adde0b92298cd3489cf8977c17f0b02d2e452811c7edb9',
  'least-loaded@4': 'b6619db3583f7b7b9a9c5009aece83d8a75c294717a62e130bdbb47a20b70b5b',
  'least-loaded@64': '7b6ee06ea45ea21a00b13e135ef5073c52308cc4eb3ef120e53eb03b1041bda5',
  'global-queue@4': 'ea001480c398519a93a4bef21d64a370d8fdb326357f3bc23ba3ba835fbc41e3',
  'global-queue@64': 'f65b521316e7d64fe9352d41e312c81712db843e2ba9ce7ff0e1f836c1fe93fd',
  'round-robin@4': '4890d9dc804c8133529bbe905c7a9dcdba86aca9afae9eb211a137986d056094',
  'round-robin@64': '8cdcec21595a1c07122118f90a9794958c0c36ab6aead1c7d38a489493bfc5ec',
  'periodic-push@4': '301b690f85b8863945b602f638b7233c78f2e9daa43938e76f1f37548cce8d34',
  'periodic-push@64': '632bc558aa371e393ab72adf5c479b21830cafe96d8e1ad09833781f8f6966ac',
  'work-stealing@4': 'ea022f71df2c76ca2fa3b9f0a6664f9162de4d9418b0ae6d72fe842284825d49',
  'work-stealing@64': 'bf8c3255a6d2984424f5e9311d4fb264bfbc1bbf36c99467773219100dc4d429',
  'power-of-two@4': 'cf57644db8e2e71ac6196a001cb917e4f0833e5331606fe5dcea93f8a6cbc302',
  'power-of-two@64': '7644a6b52dd24baaca4e1104b69cbcad747303203716135c33017e42a605a61c',
  'linux-cfs@4': 'f713a6ded2399a02be5f58811f3c29168646d0952332a5cc04ed014add3410e3',
  'linux-cfs@64': '6b95a6f80e0a87f15a90f40c5400bdf2303da19b62c5f711444501957a162ee7',
  'cache-affinity@4': '92b11e68d75862fcab4ebcbffcd9acf532d53a7b3c794049d28ca2b19a684508',
  'cache-affinity@64': 'a40ddb78fefacf190668d82d2e3ab3bc07c3cc92b46f9536e1294d0dcdb15081',
  'numa-aware@4': 'a78d8c199ccfc7b885c6c5aba1f48442672459ea1e64a50917b3c1aec9d95be1',
  'numa-aware@64': 'abaf9facbaa6483b6678fca20754f1373b2957caceaa49aaac2e79b243e4659f',
  'heterogeneity-aware@4': 'ca4c8a7029ccf25532bc7067a44aa9357885b94f04d51b2f6d8ac12ddc1764e2',
  'heterogeneity-aware@64': '3f43c173fe11a84a2d73d9e0534c496deb33a76a93f631b1842177e24b02aae2',
  'energy-aware@4': '8db62119dd3c364f50d4850c39bcc7bf5bb50629ac16b336c1ed9bf0ed9d0b66',
  'energy-aware@64': '2bc6be9f674c779d4defe1a16df625fe0a002cbc84484ff1d14bffcaac25b237',
  'thermal-aware@4': 'ac3f7c45f07b739dafd6a1eea6eba1381ebaa1bdc8e892b7e0f28ae6043c807e',
  'thermal-aware@64': '058b5f11cc742a4515e1f6f9663f05af5022708199d9b7234cccff09be313bf0',
  'global-edf@4': 'd9527d4b117467eca5b06d37280074da6ad7afec11608927c3e15abd17f8b6ad',
  'global-edf@64': '289147bc43d95f3474adf058adf089e3fd4e8ac72dc7bb192cdaf8d783229728',
  'partitioned-edf@4': 'd23df2382ea489d4cfb264bfe4efa06d1d4a0843f24f77e10636c39b91891410',
  'partitioned-edf@64': '9cd285f5d94dc0ebc09f06ba038813caa90cccdc5fbddfa822b16f380d04be2e',
};

test('every built-in policy keeps its digest on 4 and 64 CPUs', () => {
  assert.deepEqual(Object.keys(DIGESTS).sort(), POLICY_NAMES.flatMap((p) => [`${p}@4`, `${p}@64`]).sort());
  for (const policy of POLICY_NAMES) {
    for (const cpus of [4, 64] as const) {
      const simulation = new Simulation(digestConfig(policy, cpus));
      simulation.advance(simulation.endNs);
      assert.equal(simulation.result().digest, DIGESTS[`${policy}@${cpus}`], `${policy} on ${cpus} CPUs`);
    }
  }
});
