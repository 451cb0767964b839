import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * nftables from inside a test. The netns tests run in run.sh's network namespace as root, so every
 * rule here lives and dies with that namespace; nothing on the host is touched.
 */
const run = promisify(execFile);

export class NftError extends Error {
  override name = 'NftError';
}

/** Loads a ruleset text (`nft -f -`). */
export async function nftLoad(ruleset: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('nft', ['-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', (e) => reject(new NftError(`cannot run nft: ${e.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new NftError(`nft -f failed (${code}): ${err.trim()}`))));
    child.stdin.end(ruleset);
  });
}

export async function nftDeleteTable(family: string, table: string): Promise<void> {
  await run('nft', ['delete', 'table', family, table]).catch(() => undefined);
}

/** Packets a named counter has counted (`nft -j list counter`). */
export async function counterPackets(family: string, table: string, counter: string): Promise<number> {
  let stdout: string;
  try {
    ({ stdout } = await run('nft', ['-j', 'list', 'counter', family, table, counter]));
  } catch (err) {
    throw new NftError(`no counter ${family} ${table} ${counter}: ${(err as Error).message}`);
  }
  const items = (JSON.parse(stdout) as { nftables: { counter?: { packets: number } }[] }).nftables;
  const found = items.find((i) => i.counter)?.counter;
  if (!found) throw new NftError(`nft listed no counter ${counter}`);
  return found.packets;
}
