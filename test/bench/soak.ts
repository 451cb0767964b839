/**
 * Soak: SESSIONS sessions (default 30) with real RTP for SOAK_MINUTES (default 10) on one node's
 * media layer, each with its caller producer (ffmpeg, VP8 copied from a clip, so 30 senders cost
 * little CPU) and two consumers (console and viewer stand-ins) delivering to UDP sinks. Prints
 * memory, transports, ports and file descriptors before, during and after; never fails on timing,
 * but exits non-zero on a leak (transports, fds or ports left behind).
 *
 *   npx tsx test/bench/soak.ts        SESSIONS=30 SOAK_MINUTES=10
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { installWorkerBinary } from '../../server/src/sfu/workerBinary.js';
import { freePortRange } from '../../server/src/testing/ports.js';

installWorkerBinary();
const { WorkerPool } = await import('../../server/src/sfu/WorkerPool.js');
const { Room } = await import('../../server/src/sfu/Room.js');
const { pino } = await import('pino');

const SESSIONS = Number(process.env['SESSIONS'] ?? 30);
const MINUTES = Number(process.env['SOAK_MINUTES'] ?? 10);
const log = pino({ level: 'silent' });

const fds = async (pid: number | string) => (await readdir(`/proc/${pid}/fd`)).length;
const rssMiB = async (pid: number | string) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
/** UDP sockets these processes hold: the machine's whole count moves with whatever else runs on it. */
async function udpSockets(pids: number[]): Promise<number> {
  const inodes = new Set<string>();
  for (const pid of pids) {
    for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
      if (m) inodes.add(m[1]!);
    }
  }
  let count = 0;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    // Columns: sl, local, remote, st, queues, timer, retransmits, uid, timeout, inode, ...
    for (const line of (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1)) {
      if (inodes.has(line.trim().split(/\s+/)[9] ?? '')) count++;
    }
  }
  return count;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sightline-soak-'));
  const clip = path.join(dir, 'clip.webm');
  await promisify(execFile)('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=640x360:rate=25',
    '-t',
    '10',
    '-c:v',
    'libvpx',
    '-b:v',
    '500k',
    '-g',
    '25',
    clip,
  ]);

  // Two workers take two consecutive ports (UDP and TCP), checked together.
  const pool = await WorkerPool.start({ workers: 2, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePortRange(2) }, log);
  const workerPids = (await promisify(execFile)('ps', ['--ppid', String(process.pid), '-o', 'pid=,comm='])).stdout
    .split('\n')
    .filter((l) => l.includes('mediasoup'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
  const snapshot = async (label: string) => {
    const workersRss = (await Promise.all(workerPids.map(rssMiB))).reduce((a, b) => a + b, 0);
    const workerFds = (await Promise.all(workerPids.map(fds))).reduce((a, b) => a + b, 0);
    const line = {
      label,
      nodeRssMiB: Math.round(await rssMiB(process.pid)),
      workersRssMiB: Math.round(workersRss),
      nodeFds: await fds(process.pid),
      workerFds,
      udpSockets: await udpSockets([process.pid, ...workerPids]),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return line;
  };
  const before = await snapshot('before');

  const senders: ChildProcess[] = [];
  const sinks: dgram.Socket[] = [];
  const rooms: Awaited<ReturnType<typeof Room.create>>[] = [];
  let packets = 0;
  for (let i = 0; i < SESSIONS; i++) {
    const room = await Room.create(`s_soak_${String(i).padStart(4, '0')}`, pool.pick(), log);
    rooms.push(room);
    const input = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: true });
    const producer = await input.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 1000 + i }] },
    });
    for (let c = 0; c < 2; c++) {
      const sink = dgram.createSocket('udp4');
      sink.on('message', () => packets++);
      await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
      sinks.push(sink);
      const out = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
      await out.connect({ ip: '127.0.0.1', port: sink.address().port });
      const consumer = await out.consume({ producerId: producer.id, rtpCapabilities: room.rtpCapabilities, paused: true });
      await consumer.resume();
    }
    senders.push(
      spawn(
        'ffmpeg',
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-re',
          '-stream_loop',
          '-1',
          '-i',
          clip,
          '-c:v',
          'copy',
          '-f',
          'rtp',
          '-ssrc',
          String(1000 + i),
          '-payload_type',
          '101',
          `rtp://127.0.0.1:${input.tuple.localPort}?rtcpport=${input.rtcpTuple!.localPort}&pkt_size=1200`,
        ],
        { stdio: 'ignore' },
      ),
    );
  }
  const started = await snapshot('all sessions up');
  const errors: string[] = [];
  let closing = false;
  for (const r of rooms) r.router.observer.on('close', () => !closing && errors.push(`room ${r.sessionId} closed early`));
  const end = Date.now() + MINUTES * 60_000;
  let lastPackets = 0;
  let steady: Awaited<ReturnType<typeof snapshot>> | undefined;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(60_000, end - Date.now())));
    const rate = Math.round((packets - lastPackets) / 60);
    lastPackets = packets;
    // The first minute fills the workers' buffers and retransmission caches; growth counts from then.
    const snap = await snapshot(`running, ~${rate} RTP packets/s delivered`);
    steady ??= snap;
    if (rate === 0) errors.push('no packets delivered in the last minute');
  }
  const during = await snapshot('end of soak');

  closing = true;
  await Promise.all(senders.map((s) => new Promise((r) => (s.once('exit', r), s.kill('SIGINT')))));
  for (const r of rooms) r.close();
  for (const s of sinks) s.close();
  const after = await settled(
    () => snapshot('after closing everything'),
    (s) => s.nodeFds <= before.nodeFds + 5 && s.workerFds <= before.workerFds + 5 && s.udpSockets <= before.udpSockets + 2,
  );
  const transportsLeft = pool.load().reduce((a, b) => a + b, 0);
  await pool.close();
  await rm(dir, { recursive: true, force: true });

  const base = steady ?? started;
  const growth = (during.nodeRssMiB + during.workersRssMiB - (base.nodeRssMiB + base.workersRssMiB)) / (base.nodeRssMiB + base.workersRssMiB);
  const warmup = (base.nodeRssMiB + base.workersRssMiB) / (started.nodeRssMiB + started.workersRssMiB) - 1;
  process.stdout.write(
    `\n${SESSIONS} sessions × ${MINUTES} min: ${packets} RTP packets delivered; memory +${(warmup * 100).toFixed(1)} % in the first minute, then ${(growth * 100).toFixed(1)} % to the end; ` +
      `rooms left ${transportsLeft}; fds node ${before.nodeFds}→${after.nodeFds}, workers ${before.workerFds}→${after.workerFds}; UDP sockets ${before.udpSockets}→${after.udpSockets}\n`,
  );
  const leaks = [
    growth > 0.1 && `memory grew ${(growth * 100).toFixed(1)} % after the first minute`,
    transportsLeft !== 0 && `rooms left: ${transportsLeft}`,
    after.nodeFds > before.nodeFds + 5 && `node fds ${before.nodeFds}→${after.nodeFds}`,
    after.workerFds > before.workerFds + 5 && `worker fds ${before.workerFds}→${after.workerFds}`,
    after.udpSockets > before.udpSockets + 2 && `UDP sockets ${before.udpSockets}→${after.udpSockets}`,
    ...errors,
  ].filter(Boolean);
  if (leaks.length) {
    process.stdout.write(`PROBLEMS: ${leaks.join('; ')}\n`);
    process.exit(1);
  }
}

/**
 * Closing is asynchronous (ffmpeg exits, the workers close their sockets): takes snapshots until
 * `ok` holds or 15 s have passed, and returns the last one, which the leak checks then judge.
 */
async function settled<T>(take: () => Promise<T>, ok: (s: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const s = await take();
    if (ok(s) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
