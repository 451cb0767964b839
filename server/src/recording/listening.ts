import { readFile } from 'node:fs/promises';
import { udpPortIsFree } from './PortAllocator.js';

const PROC_TABLES = ['/proc/net/udp', '/proc/net/udp6'];

/**
 * Local UDP ports with a bound socket, from the kernel's tables (Linux). Undefined where /proc is
 * not available. Reading the tables leaves the ports alone, unlike a bind probe, which could make
 * the very process we wait for fail to bind.
 */
async function boundUdpPorts(): Promise<Set<number> | undefined> {
  const ports = new Set<number>();
  let found = false;
  for (const table of PROC_TABLES) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    found = true;
    for (const line of text.split('\n').slice(1)) {
      // "  sl: local_address:port rem_address:port st ..." with the port in hex.
      const local = line.trim().split(/\s+/)[1];
      const hex = local?.slice(local.lastIndexOf(':') + 1);
      if (hex) ports.add(Number.parseInt(hex, 16));
    }
  }
  return found ? ports : undefined;
}

/** True when every port is bound by some socket. */
export async function udpPortsBound(ports: readonly number[]): Promise<boolean> {
  const bound = await boundUdpPorts();
  if (bound) return ports.every((p) => bound.has(p));
  for (const p of ports) if (await udpPortIsFree(p)) return false;
  return true;
}

/**
 * Waits until something listens on all the ports. Rejects after `timeoutMs`, or as soon as
 * `gaveUp()` is true (the process we wait for has exited).
 */
export async function waitForUdpListeners(ports: readonly number[], opts: { timeoutMs: number; intervalMs?: number; gaveUp?: () => boolean }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (opts.gaveUp?.()) throw new Error('process exited before listening');
    if (await udpPortsBound(ports)) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on UDP ${ports.join(',')} after ${opts.timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}
