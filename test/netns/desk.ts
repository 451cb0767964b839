import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The dispatcher's desk as a network namespace of its own, inside run.sh's: a veth pair with
 * `hostIp` on this side and `ip` on the desk's, and a default route back, so the desk reaches the
 * server's HTTP port and the SFU's veth address (both local to run.sh's namespace) through its one
 * link. Every packet of a browser launched there (`launchDevice({ netns: desk.name })`) comes from
 * `ip`, which lets an nft rule cut the desk's media and nothing else.
 * `forward(port)` makes the server's HTTP port reachable at the desk's own 127.0.0.1 (a relay in the
 * desk): pages stay a secure context (an http:// page on another address is not, and loses APIs the
 * console needs), and links made for 127.0.0.1 work on the desk as they are. Media still takes the link.
 */
export interface Desk {
  name: string;
  /** The desk's own address. */
  ip: string;
  /** This side's address: the desk opens the server at `http://${hostIp}:<port>`. */
  hostIp: string;
  /** Relays the desk's 127.0.0.1:`port` to `hostIp`:`port` (the server listens on every address). */
  forward(port: number): Promise<void>;
  remove(): Promise<void>;
}

export async function createDesk(): Promise<Desk> {
  const name = `sightline-desk-${process.pid}`;
  const ip = '10.201.0.2';
  const hostIp = '10.201.0.1';
  const sh = (...args: string[]) => run('ip', args);
  const inDesk = (...args: string[]) => run('ip', ['netns', 'exec', name, 'ip', ...args]);
  await sh('netns', 'add', name);
  try {
    await sh('link', 'add', 'sdesk0', 'type', 'veth', 'peer', 'name', 'sdesk1', 'netns', name);
    await sh('addr', 'add', `${hostIp}/24`, 'dev', 'sdesk0');
    await sh('link', 'set', 'sdesk0', 'up');
    await inDesk('link', 'set', 'lo', 'up');
    await inDesk('addr', 'add', `${ip}/24`, 'dev', 'sdesk1');
    await inDesk('link', 'set', 'sdesk1', 'up');
    await inDesk('route', 'add', 'default', 'via', hostIp);
  } catch (err) {
    await sh('netns', 'del', name).catch(() => undefined);
    throw err;
  }
  const relays: ChildProcess[] = [];
  return {
    name,
    ip,
    hostIp,
    async forward(port) {
      const relay = spawn('ip', ['netns', 'exec', name, process.execPath, '-e', RELAY, String(port), hostIp], { stdio: ['ignore', 'pipe', 'inherit'] });
      relays.push(relay);
      await new Promise<void>((resolve, reject) => {
        relay.once('error', reject);
        relay.once('exit', (code) => reject(new Error(`the desk's relay exited (${code})`)));
        relay.stdout!.once('data', () => resolve());
      });
    },
    async remove() {
      for (const r of relays) r.kill();
      await sh('link', 'del', 'sdesk0').catch(() => undefined);
      await sh('netns', 'del', name).catch(() => undefined);
    },
  };
}

/** A TCP relay: 127.0.0.1:<port> to <host>:<port>, printing a line once it listens. */
const RELAY = `
const net = require('node:net');
const [port, host] = process.argv.slice(1);
net.createServer((c) => {
  const u = net.connect(Number(port), host);
  c.pipe(u); u.pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());
}).listen(Number(port), '127.0.0.1', () => console.log('ready'));
`;
