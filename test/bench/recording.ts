/**
 * Recording overhead (issue #12 item 5): what recording a caller's video costs, per recorded stream,
 * and whether any RTP is lost on its way into ffmpeg.
 *
 * For each N in STEPS: N sessions (Room on one mediasoup worker), each with a caller sending real 720p
 * video at about 1.5 Mbit/s (a clip looped by ffmpeg as RTP; VP8 and H264 alternate). First a window
 * without recording (the baseline), then the same N sessions recorded through the product's own
 * RecordingService (PlainTransport consumer → ffmpeg → Matroska) for a window of the same length.
 * Printed per step: ffmpeg CPU per recorded stream (utime+stime from /proc, % of one core), the
 * worker's and the Node process's CPU against the baseline, RTP packets sent to ffmpeg and those the
 * kernel dropped for its sockets, the machine's Udp RcvbufErrors/InErrors over each window, and how
 * complete the files are (frames against the span, gaps, decoder errors).
 * Then STALLS: one recording whose ffmpeg is stopped (SIGSTOP) for each duration and let go, as a
 * stalled disk write or a starved CPU would hold it: which stall its socket buffer rides out.
 *
 *   npm run bench:recording     STEPS=1,5,10,20,40 WINDOW_SEC=15 STALLS=1,2,4 STALL_BUFFERS=212992,393216,default
 *                               DECODE=1 DECODE_FILES=4
 *
 * Never fails on figures; exits non-zero only when the bench itself could not run.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { types } from 'mediasoup';
import type { RecordingService as RecordingServiceType } from '../../server/src/recording/RecordingService.js';
import type { Room as RoomType } from '../../server/src/sfu/Room.js';
import type { WorkerPool as WorkerPoolType } from '../../server/src/sfu/WorkerPool.js';
import { installWorkerBinary } from '../../server/src/sfu/workerBinary.js';
import { freePort } from '../../server/src/testing/ports.js';
import { clip, startCaller, type Caller, type Codec } from './recording/callers.js';
import { checkFile, type FileCheck } from './recording/files.js';
import { childrenOf, CpuWindow, receiveBuffer, rmemMax, threadCount, udpCounters, udpDelta, udpSockets, type UdpCounters } from './recording/proc.js';

installWorkerBinary();
const { WorkerPool } = await import('../../server/src/sfu/WorkerPool.js');
const { Room } = await import('../../server/src/sfu/Room.js');
const { RecordingService } = await import('../../server/src/recording/RecordingService.js');
const { createLogger } = await import('../../server/src/logging.js');

const list = (name: string, fallback: string) =>
  (process.env[name] ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const STEPS = list('STEPS', '1,5,10,20,40').map(Number);
const WINDOW_SEC = Number(process.env['WINDOW_SEC'] ?? 15);
const STALLS = list('STALLS', '1,2,4').map(Number);
const CODECS = list('CODECS', 'VP8,H264') as Codec[];
const DECODE = process.env['DECODE'] !== '0';
/**
 * Receive buffers (ffmpeg -buffer_size) the stalls are tried with: 212992 is what ffmpeg gets under a
 * default net.core.rmem_max, 393216 ffmpeg's own ask (the recorder before it asked for one),
 * `default` the recorder's (RECORDER_RECEIVE_BUFFER_BYTES).
 */
const STALL_BUFFERS = list('STALL_BUFFERS', '212992,393216,default');
/** Files decoded whole per step (every file's packet timestamps are checked). */
const DECODE_FILES = Number(process.env['DECODE_FILES'] ?? 4);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (x: number) => `${x.toFixed(1)} %`;
const sum = (xs: Iterable<number>) => [...xs].reduce((a, b) => a + b, 0);
const out = (line = '') => process.stdout.write(`${line}\n`);

/** ffmpeg's own complaints about the RTP it got, from the stderr tail the recorder logs when it stops. */
const ffmpegStderr: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.includes('recorder ffmpeg') && !line.includes('recording segment failed')) continue;
      const entry = JSON.parse(line) as { msg?: string; stderr?: string };
      if (entry.msg === 'recorder ffmpeg started') continue;
      ffmpegStderr.push(`${entry.msg}: ${entry.stderr ?? ''}`);
    }
    done();
  },
});
const log = createLogger('debug', logSink);

/** A recording consumer the bench follows: where it sends (ffmpeg's RTP port) and what it sent. */
interface Tap {
  sessionId: string;
  consumer: types.Consumer;
  port: number;
}

async function packetsSent(consumer: types.Consumer): Promise<number> {
  const stats = await consumer.getStats().catch(() => []);
  return sum(stats.filter((s) => s.type === 'outbound-rtp').map((s) => (s as { packetCount: number }).packetCount));
}

interface Setup {
  pool: WorkerPoolType;
  workerPid: number;
  recordings: RecordingServiceType;
  dataDir: string;
  clips: Map<Codec, string>;
  taps: Map<string, Tap[]>;
}

interface Session {
  id: string;
  room: RoomType;
  caller: Caller;
}

async function openSessions(s: Setup, n: number, label: string, recordings = s.recordings): Promise<Session[]> {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const id = `s_bench_${label}_${String(i).padStart(3, '0')}`;
      const room = await Room.create(id, s.pool.pick(), log);
      room.router.observer.on('newtransport', (t) => {
        if (!t.appData['recording']) return;
        t.observer.on('newconsumer', (consumer) => {
          const port = (t as types.PlainTransport).tuple.remotePort;
          if (port) s.taps.set(id, [...(s.taps.get(id) ?? []), { sessionId: id, consumer, port }]);
        });
      });
      recordings.attach(room);
      const codec = CODECS[i % CODECS.length]!;
      const caller = await startCaller(room, codec, s.clips.get(codec)!);
      return { id, room, caller };
    }),
  );
}

async function closeSessions(sessions: Session[]): Promise<void> {
  await Promise.all(sessions.map((x) => x.caller.stop()));
  for (const x of sessions) x.room.close();
}

/** The recorder ffmpeg of each session (a child of this process reading the session's SDP). */
async function recorderPids(sessions: Session[]): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (const child of await childrenOf(process.pid)) {
    if (child.comm !== 'ffmpeg' || !child.argv.includes('-protocol_whitelist')) continue;
    const sdp = child.argv[child.argv.indexOf('-i') + 1] ?? '';
    const session = sessions.find((x) => sdp.includes(x.id));
    if (session) found.set(session.id, child.pid);
  }
  return found;
}

/** Waits until every session's segment holds media (ffmpeg writes from the first key frame on). */
async function untilWriting(s: Setup, sessions: Session[], recordings = s.recordings): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const sizes = await Promise.all(
      sessions.map(async (x) => {
        const [info] = await recordings.list(x.id);
        return info
          ? stat(path.join(s.dataDir, 'sessions', x.id, 'recordings', info.name)).then(
              (st) => st.size,
              () => 0,
            )
          : 0;
      }),
    );
    if (sizes.every((b) => b > 100_000)) return;
    if (Date.now() > deadline) throw new Error(`recordings not writing after 30 s (${sizes.filter((b) => b <= 100_000).length} of ${sizes.length})`);
    await sleep(250);
  }
}

interface Window {
  cpu: Map<number, number>;
  udp: UdpCounters;
}

async function measure(pids: number[], seconds: number): Promise<Window> {
  const udp0 = await udpCounters();
  const cpu = new CpuWindow();
  await cpu.begin(pids);
  await sleep(seconds * 1000);
  const used = await cpu.end();
  return { cpu: used, udp: udpDelta(udp0, await udpCounters()) };
}

interface StepResult {
  n: number;
  base: Window;
  rec: Window;
  workerPid: number;
  recorders: Map<string, number>;
  codecOf: Map<string, Codec>;
  sent: number;
  dropped: number;
  /** Datagrams the kernel dropped on the bench's callers' way into the worker (not the recorder's). */
  ingestLost: number;
  /** Packets ffmpeg found missing by their sequence numbers ("RTP: missed N packets"), whatever lost them. */
  missedByFfmpeg: number;
  rcvbuf?: number;
  threads: number;
  files: { sessionId: string; codec: Codec; segments: number; check?: FileCheck; status: string }[];
  ffmpegWarnings: string[];
}

async function step(s: Setup, n: number): Promise<StepResult> {
  const sessions = await openSessions(s, n, `n${n}`);
  await sleep(3000);
  const senders = sessions.map((x) => x.caller.pid);
  const ingestDrops = async () => sum([...(await udpSockets(sessions.map((x) => x.caller.ingestPort))).values()].map((k) => k.drops));
  const ingest0 = await ingestDrops();
  const base = await measure([s.workerPid, process.pid, ...senders], WINDOW_SEC);

  const stderrFrom = ffmpegStderr.length;
  await Promise.all(sessions.map((x) => s.recordings.start(x.id, 'bench')));
  await untilWriting(s, sessions);
  await sleep(2000); // ffmpeg's start (probing decodes the first frames) is not the steady cost
  const recorders = await recorderPids(sessions);
  const rec = await measure([s.workerPid, process.pid, ...senders, ...recorders.values()], WINDOW_SEC);
  const threads = await threadCount([...recorders.values()][0] ?? 0);

  const taps = sessions.flatMap((x) => s.taps.get(x.id) ?? []);
  const sockets = await udpSockets(taps.map((t) => t.port));
  const sent = sum(await Promise.all(taps.map((t) => packetsSent(t.consumer))));
  const dropped = sum([...sockets.values()].map((k) => k.drops));
  const rcvbuf = taps[0] ? await receiveBuffer(taps[0].port) : undefined;

  await Promise.all(sessions.map((x) => s.recordings.stop(x.id, 'bench')));
  const ingestLost = (await ingestDrops()) - ingest0;
  // One file at a time, and only the first DECODE_FILES decoded whole: 40 decoders of 720p at once
  // would take the machine for minutes (the windows are measured by now).
  const files: StepResult['files'] = [];
  for (const [i, x] of sessions.entries()) {
    const segments = await s.recordings.list(x.id);
    const last = segments.at(-1);
    const check = last?.status === 'finished' ? await checkFile(await s.recordings.filePath(x.id, last.name), DECODE && i < DECODE_FILES) : undefined;
    files.push({ sessionId: x.id, codec: x.caller.codec, segments: segments.length, check, status: last?.status ?? 'none' });
  }
  await closeSessions(sessions);
  const ffmpegWarnings = ffmpegStderr.slice(stderrFrom).filter((l) => /: \S/.test(l));
  const missedByFfmpeg = sum(ffmpegWarnings.flatMap((w) => [...w.matchAll(/RTP: missed (\d+) packets/g)].map((m) => Number(m[1]))));
  return {
    n,
    base,
    rec,
    ingestLost,
    missedByFfmpeg,
    workerPid: s.workerPid,
    recorders,
    codecOf: new Map(sessions.map((x) => [x.id, x.caller.codec])),
    sent,
    dropped,
    rcvbuf,
    threads,
    files,
    ffmpegWarnings,
  };
}

interface StallResult {
  buffer: string;
  seconds: number;
  rcvbuf?: number;
  peakQueue: number;
  dropped: number;
  sent: number;
  check?: FileCheck;
}

/** One recording whose ffmpeg is held still for `seconds`: what its socket buffer holds, and what is lost. */
async function stall(s: Setup, buffer: string, recordings: RecordingServiceType, seconds: number): Promise<StallResult> {
  const [session] = await openSessions(s, 1, `stall_${buffer}_${String(seconds).replace('.', '_')}`, recordings);
  const x = session!;
  await recordings.start(x.id, 'bench');
  await untilWriting(s, [x], recordings);
  const pid = (await recorderPids([x])).get(x.id)!;
  const tap = s.taps.get(x.id)![0]!;
  const before = (await udpSockets([tap.port])).get(tap.port)!;
  process.kill(pid, 'SIGSTOP');
  let peakQueue = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    peakQueue = Math.max(peakQueue, (await udpSockets([tap.port])).get(tap.port)?.rxQueue ?? 0);
    await sleep(20);
  }
  process.kill(pid, 'SIGCONT');
  await sleep(3000);
  const after = (await udpSockets([tap.port])).get(tap.port)!;
  const sent = await packetsSent(tap.consumer);
  const rcvbuf = await receiveBuffer(tap.port);
  await recordings.stop(x.id, 'bench');
  const [info] = await recordings.list(x.id);
  const check = info?.status === 'finished' ? await checkFile(await recordings.filePath(x.id, info.name), DECODE) : undefined;
  await closeSessions([x]);
  return { buffer, seconds, rcvbuf, peakQueue, dropped: after.drops - before.drops, sent, check };
}

function printStep(r: StepResult): void {
  const ffmpegCpu = [...r.recorders.values()].map((pid) => r.rec.cpu.get(pid) ?? 0);
  const perCodec = (codec: Codec) => {
    const xs = [...r.recorders].filter(([id]) => r.codecOf.get(id) === codec).map(([, pid]) => r.rec.cpu.get(pid) ?? 0);
    return xs.length ? `${pct(sum(xs) / xs.length)} (${xs.length})` : '–';
  };
  const worker = [r.base.cpu.get(r.workerPid) ?? 0, r.rec.cpu.get(r.workerPid) ?? 0];
  const node = [r.base.cpu.get(process.pid) ?? 0, r.rec.cpu.get(process.pid) ?? 0];
  const perStream = sum(ffmpegCpu) / r.n + (worker[1]! - worker[0]!) / r.n + (node[1]! - node[0]!) / r.n;
  const checked = r.files.filter((f) => f.check);
  const missing = sum(checked.map((f) => f.check!.missing));
  const frames = sum(checked.map((f) => f.check!.frames));
  const maxGap = Math.max(0, ...checked.map((f) => f.check!.maxGapMs));
  const decoded = checked.filter((f) => f.check!.decodeErrors !== undefined);
  const decodeErrors = decoded.filter((f) => f.check!.decodeErrors).length;
  out(
    `| ${r.n} | ${pct(sum(ffmpegCpu) / r.n)} | ${CODECS.map(perCodec).join(' / ')} | ${pct(worker[0]!)} → ${pct(worker[1]!)} (+${pct((worker[1]! - worker[0]!) / r.n)}) ` +
      `| ${pct(node[0]!)} → ${pct(node[1]!)} | **${pct(perStream)}** | ${r.sent} / ${r.dropped} / ${r.missedByFfmpeg} | ${r.ingestLost} ` +
      `| ${r.base.udp.RcvbufErrors}/${r.base.udp.InErrors} → ${r.rec.udp.RcvbufErrors}/${r.rec.udp.InErrors} ` +
      `| ${checked.length}/${r.n} · ${frames} frames · ${missing} missing · max gap ${maxGap.toFixed(0)} ms · ${decoded.length ? `${decodeErrors} of ${decoded.length} decoded with errors` : 'not decoded'} |`,
  );
}

async function main(): Promise<void> {
  out(
    `recording bench: STEPS=${STEPS.join(',')} WINDOW_SEC=${WINDOW_SEC} STALLS=${STALLS.join(',')} STALL_BUFFERS=${STALL_BUFFERS.join(',')} CODECS=${CODECS.join(',')} DECODE=${DECODE ? 1 : 0}`,
  );
  const clips = new Map<Codec, string>();
  for (const codec of CODECS) clips.set(codec, await clip(codec));
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-recbench-'));
  const pool = await WorkerPool.start({ workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePort() }, log);
  const workerPid = (await childrenOf(process.pid)).find((c) => c.comm.startsWith('mediasoup-work'))!.pid;
  const noEvents = { record: async () => undefined };
  const service = (receiveBufferBytes: number | undefined, ports: [number, number]) =>
    new RecordingService({ dataDir, policy: 'on-demand', portRange: ports, ...(receiveBufferBytes && { receiveBufferBytes }) }, noEvents, log);
  const recordings = service(undefined, [52000, 52999]);
  const s: Setup = { pool, workerPid, recordings, dataDir, clips, taps: new Map() };
  const results: StepResult[] = [];
  const stalls: StallResult[] = [];
  const stallServices = STALL_BUFFERS.map((b, i) => ({
    buffer: b,
    recordings: b === 'default' ? recordings : service(Number(b), [53000 + i * 100, 53099 + i * 100]),
  }));
  try {
    for (const n of STEPS) {
      out(`step N=${n}…`);
      results.push(await step(s, n));
    }
    for (const seconds of STALLS) {
      for (const { buffer, recordings: r } of stallServices) {
        out(`stall ${seconds} s, -buffer_size ${buffer}…`);
        stalls.push(await stall(s, buffer, r, seconds));
      }
    }
  } finally {
    for (const { recordings: r } of stallServices) await r.stopAll();
    await recordings.stopAll();
    await pool.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  const rmem = await rmemMax();
  out(`
net.core.rmem_max ${rmem}; recorder ffmpeg's RTP socket receive buffer (ss rb) ${results[0]?.rcvbuf ?? 'unknown'} bytes; its threads while recording: ${results[0]?.threads ?? '?'}`);
  out(`CPU as % of one core, over ${WINDOW_SEC} s windows: without recording (baseline) → the same sessions recorded.\n`);
  out(
    `| N | ffmpeg per stream | ${CODECS.join(' / ')} (streams) | worker (+ per stream) | Node | total per stream | RTP to ffmpeg / dropped at its sockets / missed by ffmpeg | dropped into the worker (bench's callers) | machine RcvbufErrors/InErrors base → rec | files |`,
  );
  out('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) printStep(r);
  if (stalls.length) {
    out(
      `\nffmpeg held still (SIGSTOP) while a ${CODECS[0]} caller sends; per recorder -buffer_size (rb: what the kernel granted): RTP packets dropped of those sent · peak socket queue · frames in file, missing, longest gap\n`,
    );
    const buffers = stallServices.map((b) => b.buffer);
    const granted = (b: string) => stalls.find((x) => x.buffer === b)?.rcvbuf ?? '?';
    out(`| stall | ${buffers.map((b) => `${b} (rb ${granted(b)})`).join(' | ')} |`);
    out(`|---|${buffers.map(() => '---').join('|')}|`);
    for (const seconds of STALLS) {
      const cells = buffers.map((b) => {
        const x = stalls.find((y) => y.buffer === b && y.seconds === seconds)!;
        const c = x.check;
        return `${x.dropped} of ${x.sent} · ${(x.peakQueue / 1024).toFixed(0)} KiB · ${c ? `${c.frames}, ${c.missing}, ${c.maxGapMs.toFixed(0)} ms${c.decodeErrors ? ', decoder errors' : ''}` : 'no file'}`;
      });
      out(`| ${seconds} s | ${cells.join(' | ')} |`);
    }
  }
  const warnings = results.flatMap((r) => r.ffmpegWarnings);
  out(`\nffmpeg warnings at stop (${warnings.length}):`);
  for (const w of warnings.slice(0, 20)) out(`  ${w.replace(/\s+/g, ' ').slice(0, 300)}`);
  for (const r of results) {
    for (const f of r.files) {
      if (f.segments !== 1 || f.status !== 'finished' || f.check?.decodeErrors)
        out(`  N=${r.n} ${f.sessionId}: ${f.segments} segments, last ${f.status} ${f.check?.decodeErrors?.slice(0, 200) ?? ''}`);
    }
  }
}

await main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
