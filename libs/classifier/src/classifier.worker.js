'use strict';
// Entry of a classifier worker thread (see classifier-pool.ts). In a compiled dist/ layout, this file
// must sit next to the compiled classifier.worker-main.js (copy it, or enable `allowJs`).
const path = require('node:path');
const { loadThreadModule } = require('../../threads/src/thread-entry.js');

loadThreadModule(path.join(__dirname, 'classifier.worker-main'));
