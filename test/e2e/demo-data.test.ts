import type { SessionSummary } from '@sightline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoDataDir, type DemoDataDir } from '../support/demoData.js';
import { http, login, startServer, type TestServer } from '../support/server.js';

/**
 * `npx sightline demo-data` (issue #16 §1), the real command on a temporary DATA_DIR: it refuses a
 * directory that holds sessions and bad arguments, and a server started on what it wrote lists every
 * session, each marked synthetic and verified intact (chain, head index and signed checkpoints).
 */
let demo: DemoDataDir;
let server: TestServer | undefined;
let firstRun: ReturnType<DemoDataDir['cli']>;

beforeAll(async () => {
  demo = await demoDataDir();
  firstRun = demo.cli('demo-data', '--sessions', '60', '--seed', '4');
});

afterAll(async () => {
  await server?.stop();
  await demo.remove();
});

describe('npx sightline demo-data', () => {
  it('fills an empty data directory, refuses one with sessions and bad arguments', () => {
    expect(firstRun.status, firstRun.stderr).toBe(0);
    expect(firstRun.stdout).toMatch(/wrote 60 synthetic session\(s\) .*seed 4/);
    const again = demo.cli('demo-data', '--sessions', '5');
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/refused: .* already holds 60 session\(s\).*Nothing was written/);
    expect(demo.cli('demo-data', '--sessions', 'many').status).toBe(2);
    // Not a whole number in range, or a seed beyond the generator's 32 bits (it would repeat a smaller one's sessions).
    for (const args of [
      ['--sessions', '1e1'],
      ['--sessions', ' 5 '],
      ['--sessions', '0x5'],
      ['--sessions', '5', '--seed', ''],
      ['--sessions', '5', '--seed', '4294967297'],
    ])
      expect(demo.cli('demo-data', ...args).status, args.join(' ')).toBe(2);
    expect(demo.cli('demo-data').status).toBe(2);
  });

  it('writes sessions a server started on the directory lists, each synthetic and verified intact, the run in the access log', async () => {
    server = await startServer(demo.env);
    const token = await login(server, 'supervisor');
    const list = await http('GET', `${server.url}/api/sessions`, { token });
    expect(list.status).toBe(200);
    const sessions = list.body.sessions as SessionSummary[];
    expect(sessions).toHaveLength(60);
    expect(sessions.every((s) => s.status === 'ended' && s.dispatcher.startsWith('demo-') && s.incidentRef?.startsWith('DEMO-'))).toBe(true);
    for (const s of sessions) {
      const verify = await http('GET', `${server.url}/api/sessions/${s.id}/verify`, { token });
      expect(verify.body, s.id).toMatchObject({ intact: true });
    }
    const one = await http('GET', `${server.url}/api/sessions/${sessions[0]!.id}`, { token });
    expect(one.body.events[0]).toMatchObject({ type: 'created', details: { synthetic: true, generator: 'sightline demo-data', seed: 4 } });
    expect(one.body.phone).toMatch(/^\+44\*+\d{3}$/);
    // The run itself is in the supervisors' access log, with its size and seed.
    const access = await http('GET', `${server.url}/api/audit/access`, { token });
    // Started before the first session was written (a run cut short is on the record too), then finished.
    const runs = (access.body.records as { type: string; details: unknown }[]).filter((r) => r.type === 'demo_data').map((r) => r.details);
    expect(runs).toEqual([
      { sessions: 60, seed: 4, phase: 'started' },
      { sessions: 60, seed: 4, phase: 'finished' },
    ]);
    // The command line's own verify, given only the public key, agrees.
    const cliVerify = demo.cli('verify', sessions[0]!.id, '--public-key', demo.publicKeyFile);
    expect(cliVerify.stdout, cliVerify.stderr).toMatch(/^intact: \d+ records/);
  });
});
