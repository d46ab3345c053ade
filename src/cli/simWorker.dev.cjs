// Worker entry when the CLI runs from source under tsx (tests): workers do not inherit the
// --import loader, so register tsx here, then load the TypeScript worker.
require('tsx/cjs');
require('../worker/simWorker.node.ts');
