/**
 * Every built-in policy keeps its digest on a 4-CPU and a 64-CPU machine, each with and without
 * power, heat and a governor (policy-digests.ts): the policies' indexes must choose exactly what
 * their scans chose. The digests were taken on main at 5c3d293, before the indexes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { POLICY_NAMES, Simulation } from '../../src/sim/index';
import { digestConfig, type DigestMachine } from './policy-digests';

const DIGESTS: Record<string, string> = {
  'pinned@4': 'edfff9c823a44aa6504e3fc1ad83ee6faa063b1e870ba2f0b6a403fd742e45a3',
  'pinned@4 plain': 'be314819955c3781031090e8b08f74a49816609cb63831b8116fb5af3c35d968',
  'pinned@64': '21184d6cb79f0c366adf586976e6117d1d29258eefd470e7d56376d95e91157e',
  'pinned@64 plain': '1657286ec2ca4303144a33cba01af13a2226d75c61dd13bb350ce882d5275e00',
  'random@4': 'db15165ee62a8059f503bb518620ddd59fc25da67dd3b4eae803741c770bf830',
  'random@4 plain': '680e14ca463b7f7c687f52bf33edb60483f364c2d98085177cab648cb3cd97a6',
  'random@64': '9f5052279d009385e9adde0b92298cd3489cf8977c17f0b02d2e452811c7edb9',
  'random@64 plain': 'b6bb69ab8fe5e7995345587792017aba761dcd8e056cff13c4499d06ef1d319c',
  'least-loaded@4': 'b6619db3583f7b7b9a9c5009aece83d8a75c294717a62e130bdbb47a20b70b5b',
  'least-loaded@4 plain': 'b1d4d3ef36afff0e3a0aeab66054c41cbe5689c6f458f7df44ee30b2d5ea6a66',
  'least-loaded@64': '7b6ee06ea45ea21a00b13e135ef5073c52308cc4eb3ef120e53eb03b1041bda5',
  'least-loaded@64 plain': '6ce49e9df6a03ce95d290cd08e808dba1bc9ab3ac3ecd371eef3223d2a399c04',
  'global-queue@4': 'ea001480c398519a93a4bef21d64a370d8fdb326357f3bc23ba3ba835fbc41e3',
  'global-queue@4 plain': '2db0e63a90dabac595802a2e88b297dc28662a4befab03428783a7954b364863',
  'global-queue@64': 'f65b521316e7d64fe9352d41e312c81712db843e2ba9ce7ff0e1f836c1fe93fd',
  'global-queue@64 plain': 'a71d56eee47ecf0f2cb1b1e14724b16ffdc832858edbc1b242a23e0b118fb07a',
  'round-robin@4': '4890d9dc804c8133529bbe905c7a9dcdba86aca9afae9eb211a137986d056094',
  'round-robin@4 plain': 'f75dabb0e0a646818a2c6072d86dcf73293bc9caf21696fa196902316a6fd053',
  'round-robin@64': '8cdcec21595a1c07122118f90a9794958c0c36ab6aead1c7d38a489493bfc5ec',
  'round-robin@64 plain': '44a6f560ce63da31c84f1b0d427b4f106359321f356f2054a28fda5b0327e856',
  'periodic-push@4': '301b690f85b8863945b602f638b7233c78f2e9daa43938e76f1f37548cce8d34',
  'periodic-push@4 plain': 'b5cacb8588f2162e74191869632633437b9fb88d0cdc9069505d5e5a1cec74f9',
  'periodic-push@64': '632bc558aa371e393ab72adf5c479b21830cafe96d8e1ad09833781f8f6966ac',
  'periodic-push@64 plain': '3ec0bb8d8a3fe1e38f19c615b3e2b514c40bfa3e1a3f4eb17d2ec2a6a3d56672',
  'work-stealing@4': 'ea022f71df2c76ca2fa3b9f0a6664f9162de4d9418b0ae6d72fe842284825d49',
  'work-stealing@4 plain': 'ab747870a73e93e0bb4809b338d795e2f7209d22037d0d8c0809d5b044cec7b3',
  'work-stealing@64': 'bf8c3255a6d2984424f5e9311d4fb264bfbc1bbf36c99467773219100dc4d429',
  'work-stealing@64 plain': 'cca2448b3ac32b4921e0bb468fe1e691dbd079186ad69560e4c152af1deb85f8',
  'power-of-two@4': 'cf57644db8e2e71ac6196a001cb917e4f0833e5331606fe5dcea93f8a6cbc302',
  'power-of-two@4 plain': 'b6676ada0ab5e1457f28967710252ac58c3cfd51a7b4b930afcf14f78444f6d8',
  'power-of-two@64': '7644a6b52dd24baaca4e1104b69cbcad747303203716135c33017e42a605a61c',
  'power-of-two@64 plain': '4e5cd3b1f618c5c0fb2efc28329f4454bba4c3a2ab02f5136b9765e62cd6c9cd',
  'linux-cfs@4': 'f713a6ded2399a02be5f58811f3c29168646d0952332a5cc04ed014add3410e3',
  'linux-cfs@4 plain': 'c0b68695d91c72d45e042378bb6147c98865e139a23dbaca1de7f4edb4307a40',
  'linux-cfs@64': '6b95a6f80e0a87f15a90f40c5400bdf2303da19b62c5f711444501957a162ee7',
  'linux-cfs@64 plain': '32ca724f7ae33d6f565cb1e6b84c251782b72fdf9c870b2d89896c8030acebad',
  'cache-affinity@4': '92b11e68d75862fcab4ebcbffcd9acf532d53a7b3c794049d28ca2b19a684508',
  'cache-affinity@4 plain': '83875a93943abd55b0db592005a26bc16d8cdd9568a3150e9bced501411713d3',
  'cache-affinity@64': 'a40ddb78fefacf190668d82d2e3ab3bc07c3cc92b46f9536e1294d0dcdb15081',
  'cache-affinity@64 plain': 'd3991d977a05da2cdb2c64132537f56ab92d610af8c21016e28f14570d5d93c3',
  'numa-aware@4': 'a78d8c199ccfc7b885c6c5aba1f48442672459ea1e64a50917b3c1aec9d95be1',
  'numa-aware@4 plain': '456f0af46e063a440f9afc64aef850a3bf5c49822d07caf3adf05cf49895359f',
  'numa-aware@64': 'abaf9facbaa6483b6678fca20754f1373b2957caceaa49aaac2e79b243e4659f',
  'numa-aware@64 plain': 'ce9de8ab65c5adee9de35f9cd1c93fab6d36a3ec4f5401d7cae6a36a166b1e05',
  'heterogeneity-aware@4': 'ca4c8a7029ccf25532bc7067a44aa9357885b94f04d51b2f6d8ac12ddc1764e2',
  'heterogeneity-aware@4 plain': 'd06d778f8b8668d2e1908dbeefdbea2416a95a0ee895183292de68daf296f22b',
  'heterogeneity-aware@64': '3f43c173fe11a84a2d73d9e0534c496deb33a76a93f631b1842177e24b02aae2',
  'heterogeneity-aware@64 plain': 'b45eb4ed4b19c747278a26b6d8be1084f198d35b77d817b30d22da2492f060d2',
  'energy-aware@4': '8db62119dd3c364f50d4850c39bcc7bf5bb50629ac16b336c1ed9bf0ed9d0b66',
  'energy-aware@4 plain': 'f968bc821ccc98c6847dd28305e3e6cc1a83be2beb5fa7a1b34e44d093c752b9',
  'energy-aware@64': '2bc6be9f674c779d4defe1a16df625fe0a002cbc84484ff1d14bffcaac25b237',
  'energy-aware@64 plain': 'e2bae0abd42724f8784f4ea65002a4dae725ce0b70e98aa5f599452c23f1ac6b',
  'thermal-aware@4': 'ac3f7c45f07b739dafd6a1eea6eba1381ebaa1bdc8e892b7e0f28ae6043c807e',
  'thermal-aware@4 plain': '2df106faf403fb99c93dd7a24a89bf6f33be14bd1606cbb1d4f14c7875393871',
  'thermal-aware@64': '058b5f11cc742a4515e1f6f9663f05af5022708199d9b7234cccff09be313bf0',
  'thermal-aware@64 plain': 'd0e11ea3cffef8f94de483160192213f7b9141f5910d3b1347c3a3c8c7da24d6',
  'global-edf@4': 'd9527d4b117467eca5b06d37280074da6ad7afec11608927c3e15abd17f8b6ad',
  'global-edf@4 plain': '54d73f8ab8b543a16ebff5ae16d1c3dba1aa8e64ee78fdcfe1037f82e062ae82',
  'global-edf@64': '289147bc43d95f3474adf058adf089e3fd4e8ac72dc7bb192cdaf8d783229728',
  'global-edf@64 plain': '44fd33967e38878414d1f7ce78ffe89e50694b49f76fc9d590c3b3eacce7585e',
  'partitioned-edf@4': 'd23df2382ea489d4cfb264bfe4efa06d1d4a0843f24f77e10636c39b91891410',
  'partitioned-edf@4 plain': '760a1b4404849b5a3f0643cb0015d0a3112d8ac36334fe087ff5884fd54b7158',
  'partitioned-edf@64': '9cd285f5d94dc0ebc09f06ba038813caa90cccdc5fbddfa822b16f380d04be2e',
  'partitioned-edf@64 plain': '3a613f2f674c03a943742b771696ff3705c25cde945523924dcd8ddd5413998f',
};

const key = (policy: string, cpus: number, kind: DigestMachine) =>
  `${policy}@${cpus}${kind === 'plain' ? ' plain' : ''}`;

test('every built-in policy keeps its digest on 4 and 64 CPUs, with and without heat', () => {
  const runs = POLICY_NAMES.flatMap((policy) =>
    ([4, 64] as const).flatMap((cpus) => (['rich', 'plain'] as const).map((kind) => ({ policy, cpus, kind }))),
  );
  assert.deepEqual(Object.keys(DIGESTS).sort(), runs.map((r) => key(r.policy, r.cpus, r.kind)).sort());
  for (const { policy, cpus, kind } of runs) {
    const simulation = new Simulation(digestConfig(policy, cpus, kind));
    simulation.advance(simulation.endNs);
    assert.equal(simulation.result().digest, DIGESTS[key(policy, cpus, kind)], key(policy, cpus, kind));
  }
});
