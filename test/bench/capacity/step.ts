import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadGenerator, LoadSession } from './LoadGenerator.js';
import { CpuWindow, machineCpu, rssMiB, udpRcvbufErrors } from './proc.js';
import type { FromSystem, SessionAnswer, SessionPlan, Side, ToSystem } from './protocol.js';

/** One measured step of the capacity bench: N sessions on one side, set up, warmed, then measured. */
export interface StepOptions {
  side: Side;
  sessions: number;
  /** mediasoup workers of the system under test (one per core). */
  workers: number;
  warmupSec: number;
  measureSec: number;
}

export interface StepResult extends StepOptions {
  /** % of one core over the window: the system's workers together, each, and its Node process. */
  workersPct: number;
  workerEachPct: number[];
  nodePct: number;
  /** The load generator's workers and ffmpeg, and the whole machine (% of all cores). */
  loadPct: number;
  machineBusyPct: number;
  /** Resident memory the N sessions added: the system's workers and its Node process, MiB. */
  workersRssDeltaMiB: number;
  nodeRssDeltaMiB: number;
  /** Over the window: packets the load generator sent (all callers) and received (all receivers). */
  packetsSent: number;
  packetsReceived: number;
  /** Packets the receivers counted as lost (RFC 3550: expected - received), over the window. */
  packetsLost: number;
  /** Receivers that got no packet at all in the window. */
  silentReceivers: number;
  udpRcvbufErrors: number;
  setupSec: number;
}

const SUT = fileURLToPath(new URL('./sut.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The system under test in its own process, spoken to over IPC while sessions are set up. */
class SystemProcess {
  #next = 1;
  #pending = new Map<number, { resolve(a?: SessionAnswer): void; reject(e: Error): void }>();
  workerPids: number[] = [];

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromSystem) => {
      if (!('id' in m)) return;
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.ok) p?.resolve(m.answer);
      else p?.reject(new Error(m.error));
    });
    child.once('exit', (code) => {
      for (const p of this.#pending.values()) p.reject(new Error(`system under test exited (${code})`));
      this.#pending.clear();
    });
  }

  static async start(side: Side, workers: number): Promise<SystemProcess> {
    const child = fork(SUT, [side, String(workers)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const system = new SystemProcess(child);
    system.workerPids = await new Promise<number[]>((resolve, reject) => {
      child.on('message', (m: FromSystem) => 'op' in m && m.op === 'ready' && resolve(m.workerPids));
      child.once('exit', (code) => reject(new Error(`system under test exited before it was ready (${code})`)));
    });
    return system;
  }

  get pid(): number {
    return this.child.pid!;
  }

  #call(m: Omit<Extract<ToSystem, { op: 'setup' }>, 'id'> | { op: 'close' }): Promise<SessionAnswer | undefined> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.child.send({ ...m, id } as ToSystem);
    });
  }

  async setup(plan: SessionPlan): Promise<SessionAnswer> {
    return (await this.#call({ op: 'setup', plan }))!;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    await Promise.race([this.#call({ op: 'close' }).catch(() => undefined), sleep(5_000)]);
    await Promise.race([exited, sleep(5_000)]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

async function totals(sessions: LoadSession[]): Promise<{ sent: number; received: number; lost: number; perReceiver: number[] }> {
  const all = await Promise.all(sessions.map((s) => s.counters()));
  return {
    sent: all.reduce((a, c) => a + c.sent, 0),
    received: all.reduce((a, c) => a + c.received.reduce((x, y) => x + y, 0), 0),
    lost: all.reduce((a, c) => a + c.lost.reduce((x, y) => x + y, 0), 0),
    perReceiver: all.flatMap((c) => c.received),
  };
}

/** Runs one step: a fresh system process, N sessions, a warm-up, the measured window, and tear-down. */
export async function runStep(load: LoadGenerator, opts: StepOptions): Promise<StepResult> {
  const system = await SystemProcess.start(opts.side, opts.workers);
  const sessions: LoadSession[] = [];
  try {
    await sleep(500);
    const rss = () => ({ node: rssMiB(system.pid), workers: system.workerPids.reduce((s, pid) => s + rssMiB(pid), 0) });
    const idle = rss();
    const setupStart = performance.now();
    // A few sessions at a time: set-up is not what is measured, and the system sees joins overlap as in life.
    let nextIndex = 0;
    const setupOne = async () => {
      for (let i = nextIndex++; i < opts.sessions; i = nextIndex++) {
        const prepared = await load.prepare(i);
        sessions.push(await prepared.connect(await system.setup(prepared.plan)));
      }
    };
    await Promise.all(Array.from({ length: 8 }, setupOne));
    const setupSec = (performance.now() - setupStart) / 1000;
    await sleep(opts.warmupSec * 1000);

    const before = await totals(sessions);
    const rcvbuf = udpRcvbufErrors();
    const machine = machineCpu();
    const workers = CpuWindow.each(system.workerPids);
    const node = new CpuWindow([system.pid]);
    const loadCpu = new CpuWindow(load.pids);
    await sleep(opts.measureSec * 1000);
    const workerEachPct = workers.percents();
    const nodePct = node.percent();
    const loadPct = loadCpu.percent();
    const machineAfter = machineCpu();
    const rcvbufAfter = udpRcvbufErrors();
    const after = await totals(sessions);
    const loaded = rss();

    return {
      ...opts,
      workersPct: workerEachPct.reduce((a, b) => a + b, 0),
      workerEachPct,
      nodePct,
      loadPct,
      machineBusyPct: ((machineAfter.busy - machine.busy) / Math.max(1e-9, machineAfter.total - machine.total)) * 100,
      workersRssDeltaMiB: loaded.workers - idle.workers,
      nodeRssDeltaMiB: loaded.node - idle.node,
      packetsSent: after.sent - before.sent,
      packetsReceived: after.received - before.received,
      packetsLost: Math.max(0, after.lost - before.lost),
      silentReceivers: after.perReceiver.filter((n, i) => n - (before.perReceiver[i] ?? 0) === 0).length,
      udpRcvbufErrors: rcvbufAfter - rcvbuf,
      setupSec,
    };
  } finally {
    for (const s of sessions) s.close();
    await system.close();
  }
}
