'use strict';
// Entry of a feed-parser worker thread (see feed-parser.pool.ts). In a compiled dist/ layout, this
// file must sit next to the compiled feed-parser.worker-main.js (copy it, or enable `allowJs`).
const path = require('node:path');
const { loadThreadModule } = require('../../threads/src/thread-entry.js');

loadThreadModule(path.join(__dirname, 'feed-parser.worker-main'));
