/**
 * A system under test for the capacity bench, in a process of its own so its Node CPU and memory are
 * its own: `bare` (mediasoup's API directly, no product code) or `sightline` (the product's room
 * layer, see sightlineSystem.ts). Started by capacity.ts with `tsx sut.ts <side> <workers>`; takes
 * session plans over IPC (protocol.ts) and answers where the caller's SRTP goes.
 */
import { installWorkerBinary } from '../../../server/src/sfu/workerBinary.js';
import type { FromSystem, SessionAnswer, SessionPlan, Side, ToSystem } from './protocol.js';

installWorkerBinary();
const { bareSystem } = await import('./bareSystem.js');
const { sightlineSystem } = await import('./sightlineSystem.js');

export interface System {
  workerPids: number[];
  setup(plan: SessionPlan): Promise<SessionAnswer>;
  close(): Promise<void>;
}

const side = process.argv[2] as Side;
const workers = Number(process.argv[3] ?? 2);
const system: System = side === 'bare' ? await bareSystem(workers) : await sightlineSystem(workers);
const send = (m: FromSystem) => process.send!(m);

process.on('message', (m: ToSystem) => {
  if (m.op === 'close') {
    void system.close().finally(() => {
      send({ id: m.id, ok: true });
      process.disconnect();
    });
    return;
  }
  system.setup(m.plan).then(
    (answer) => send({ id: m.id, ok: true, answer }),
    (err: Error) => send({ id: m.id, ok: false, error: err.stack ?? err.message }),
  );
});
// The driver gone (it crashed or was stopped): nothing is left running.
process.on('disconnect', () => void system.close().finally(() => process.exit(0)));
send({ op: 'ready', workerPids: system.workerPids });
