import { readFileSync } from 'node:fs';

/** What the capacity bench reads from /proc: CPU time and resident memory of given processes. */

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux ABI Node runs on (sysconf(_SC_CLK_TCK)).

/** utime + stime of a process, all its threads, in seconds (/proc/<pid>/stat fields 14 and 15); 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  // The command name (field 2) may hold spaces; the fields after its closing parenthesis are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Resident set size in MiB (VmRSS); 0 once the process is gone. */
export function rssMiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** The machine's busy and total CPU time in seconds over all cores (/proc/stat's first line). */
export function machineCpu(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / TICKS_PER_SECOND, total: (busy + idle + iowait) / TICKS_PER_SECOND };
}

/** UDP datagrams the kernel dropped for full receive buffers, machine-wide (/proc/net/snmp Udp: RcvbufErrors). */
export function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('Udp:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[names.indexOf('RcvbufErrors')] ?? 0);
}

/** CPU use of a set of processes between two calls, in % of one core. */
export class CpuWindow {
  #start: number;
  #at = performance.now();

  constructor(private readonly pids: readonly number[]) {
    this.#start = this.#sum();
  }

  #sum(): number {
    return this.pids.reduce((s, pid) => s + cpuSeconds(pid), 0);
  }

  /** % of one core used by all the pids together since construction. */
  percent(): number {
    const seconds = (performance.now() - this.#at) / 1000;
    return seconds > 0 ? ((this.#sum() - this.#start) / seconds) * 100 : 0;
  }

  /** % of one core per pid since construction (in the order given). */
  static each(pids: readonly number[]): { percents(): number[] } {
    const windows = pids.map((pid) => new CpuWindow([pid]));
    return { percents: () => windows.map((w) => w.percent()) };
  }
}
