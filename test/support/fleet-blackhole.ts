import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

/**
 * A port that never completes a TCP handshake, on loopback, without firewall rules: a listener in a
 * worker thread whose event loop is blocked, so nothing is ever accepted; once its accept queue is full
 * the kernel drops further SYNs and clients wait until their connect timeout.
 */
export interface Blackhole {
  port: number;
  close(): Promise<void>;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer();
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  parentPort.postMessage(server.address().port);
  Atomics.wait(workerData.flag, 0, 0);
  server.close();
});
`;

export async function startBlackhole(): Promise<Blackhole> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { flag } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  // Fill the accept queue (backlog + 1 on Linux) and a little more.
  const fillers: Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    port,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await worker.terminate();
    },
  };
}
