'use strict';
// A classifier worker for the pool's tests: it follows the pool's protocol but misbehaves on request
// (the first item's title says how).
const { parentPort } = require('node:worker_threads');

parentPort.on('message', (request) => {
  const reply = (result) => parentPort.postMessage({ type: 'result', id: request.id, result });
  switch (request.items[0].title) {
    case 'spin':
      for (;;) {
        // a classification that never ends
      }
    case 'exit':
      process.exit(3);
      break;
    case 'short':
      reply({ ok: true, classifications: [] });
      break;
    default:
      reply({
        ok: true,
        classifications: request.items.map((item) => ({ id: item.id, echoed: item.title })),
      });
  }
});
parentPort.postMessage({ type: 'ready' });
