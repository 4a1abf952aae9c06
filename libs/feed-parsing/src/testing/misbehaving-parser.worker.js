'use strict';
// A parser worker for the pool's tests: it follows the pool's protocol but misbehaves on request
// (the text of the parse request says how).
const { setImmediate } = require('node:timers');
const { parentPort } = require('node:worker_threads');

parentPort.on('message', (request) => {
  const reply = (result) => parentPort.postMessage({ type: 'result', id: request.id, result });
  switch (request.text) {
    case 'spin':
      for (;;) {
        // a parse that never ends
      }
    case 'exit':
      process.exit(3);
      break;
    case 'throw':
      setImmediate(() => {
        throw new Error('boom from a worker');
      });
      break;
    case 'overflow': {
      const deeper = (n) => deeper(n + 1) + 1;
      setImmediate(() => deeper(0));
      break;
    }
    default:
      reply({ ok: true, items: [], warnings: [`echo ${request.text}`] });
  }
});
parentPort.postMessage({ type: 'ready' });
