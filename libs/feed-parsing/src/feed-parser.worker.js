'use strict';
// Entry of a feed-parser worker thread (see feed-parser.pool.ts). Worker threads do not inherit the
// main thread's TypeScript loader: from sources (Jest, `node -r ./tools/register.js`, where `-r` may
// or may not reach the worker) register the repository's loader unless `.ts` files already load, then
// load the TypeScript module. In a compiled dist/ layout, this file must sit next to the compiled
// feed-parser.worker-main.js (copy it, or enable `allowJs` in tsconfig.build.json): there is no `.ts`
// beside it, so nothing is registered and the compiled module is required.
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, 'feed-parser.worker-main');
if (!require.extensions['.ts'] && fs.existsSync(`${main}.ts`)) {
  require(path.join(__dirname, '..', '..', '..', 'tools', 'register.js'));
}
require(main);
