import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/**
 * What the recording benchmark reads from the kernel (Linux /proc): CPU time of processes, the
 * machine's UDP counters, and the receive queue and drop count of single sockets. No extra tools.
 */

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ: 100 on every Linux build we run). */
export const CLK_TCK = 100;

/** utime + stime of a process in ticks; undefined when it is gone. */
export async function cpuTicks(pid: number): Promise<number | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (!stat) return undefined;
  // The command name may hold spaces and parentheses: fields are counted after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
}

/** Number of threads of a process (its /proc/<pid>/task entries). */
export async function threadCount(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/task`).catch(() => [])).length;
}

export interface ChildProcessInfo {
  pid: number;
  comm: string;
  argv: string[];
}

/** Processes whose parent is `pid`, with their command name and arguments. */
export async function childrenOf(pid: number): Promise<ChildProcessInfo[]> {
  const out: ChildProcessInfo[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const m = /^\d+ \((.*)\) \S (\d+)/.exec(stat);
    if (!m || Number(m[2]) !== pid) continue;
    const argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
    out.push({ pid: Number(entry), comm: m[1]!, argv });
  }
  return out;
}

/** CPU of a set of processes over a window, as % of one core (100 = one core busy all the time). */
export class CpuWindow {
  #start = new Map<number, number>();
  #startMs = 0;

  async begin(pids: readonly number[]): Promise<void> {
    this.#startMs = performance.now();
    for (const pid of pids) {
      const t = await cpuTicks(pid);
      if (t !== undefined) this.#start.set(pid, t);
    }
  }

  /** Per pid, % of one core since begin(); a pid gone meanwhile is left out. */
  async end(): Promise<Map<number, number>> {
    const seconds = (performance.now() - this.#startMs) / 1000;
    const out = new Map<number, number>();
    for (const [pid, t0] of this.#start) {
      const t1 = await cpuTicks(pid);
      if (t1 !== undefined) out.set(pid, ((t1 - t0) / CLK_TCK / seconds) * 100);
    }
    return out;
  }
}

/** The machine's UDP counters (/proc/net/snmp): every UDP socket of every process counts here. */
export interface UdpCounters {
  InDatagrams: number;
  InErrors: number;
  RcvbufErrors: number;
}

export async function udpCounters(): Promise<UdpCounters> {
  const lines = (await readFile('/proc/net/snmp', 'utf8')).split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  const get = (n: string) => values[names.indexOf(n)] ?? Number.NaN;
  return { InDatagrams: get('InDatagrams'), InErrors: get('InErrors'), RcvbufErrors: get('RcvbufErrors') };
}

export function udpDelta(a: UdpCounters, b: UdpCounters): UdpCounters {
  return { InDatagrams: b.InDatagrams - a.InDatagrams, InErrors: b.InErrors - a.InErrors, RcvbufErrors: b.RcvbufErrors - a.RcvbufErrors };
}

/** One bound UDP socket as /proc/net/udp shows it. */
export interface UdpSocket {
  port: number;
  /** Bytes waiting to be read, counted as the kernel charges them (sk_rmem_alloc: buffers, not payload). */
  rxQueue: number;
  /** Datagrams the kernel dropped for this socket since it was opened (its receive buffer was full). */
  drops: number;
}

/** The IPv4 sockets bound to these local ports on 127.0.0.1. */
export async function udpSockets(ports: readonly number[]): Promise<Map<number, UdpSocket>> {
  const wanted = new Set(ports);
  const out = new Map<number, UdpSocket>();
  const text = await readFile('/proc/net/udp', 'utf8');
  for (const line of text.split('\n').slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
    const cols = line.trim().split(/\s+/);
    if (cols.length < 13) continue;
    const [addr, portHex] = cols[1]!.split(':');
    const port = Number.parseInt(portHex!, 16);
    if (addr !== '0100007F' || !wanted.has(port)) continue;
    out.set(port, { port, rxQueue: Number.parseInt(cols[4]!.split(':')[1]!, 16), drops: Number(cols[12]) });
  }
  return out;
}

/**
 * The receive buffer the kernel gave a socket (SO_RCVBUF as it stands: twice what was asked, capped
 * at twice net.core.rmem_max for an unprivileged request), from `ss -m`; undefined without ss.
 */
export async function receiveBuffer(port: number): Promise<number | undefined> {
  try {
    const { stdout } = await promisify(execFile)('ss', ['-H', '-u', '-a', '-n', '-m', 'sport', '=', `:${port}`]);
    const m = /\brb(\d+)/.exec(stdout);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** net.core.rmem_max: the most SO_RCVBUF a process without CAP_NET_ADMIN can ask for (bytes; doubled by the kernel). */
export async function rmemMax(): Promise<number> {
  return Number((await readFile('/proc/sys/net/core/rmem_max', 'utf8')).trim());
}
