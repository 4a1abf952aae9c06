'use strict';
// Loads a worker thread's TypeScript entry module (the path without extension, as workerData.module
// or the first argument). Worker threads do not inherit the main thread's TypeScript loader: from
// sources (Jest, `node -r ./tools/register.js`, where `-r` may or may not reach the thread) register
// the repository's loader unless `.ts` files already load. In a compiled layout there is no `.ts`
// beside the module, so nothing is registered and the compiled module is required.
const fs = require('node:fs');
const path = require('node:path');

function loadThreadModule(main) {
  if (!require.extensions['.ts'] && fs.existsSync(`${main}.ts`)) {
    require(path.join(__dirname, '..', '..', '..', 'tools', 'register.js'));
  }
  require(main);
}

module.exports = { loadThreadModule };
