import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { Pseudonyms } from './Pseudonyms.js';
import { CSV_COLUMNS, sessionsCsv } from './sessionsCsv.js';
import type { SessionFunnel } from './sessionFunnel.js';

const T0 = Date.parse('2026-11-30T10:04:37.512Z');

const video: SessionFunnel = {
  createdAt: new Date(T0).toISOString(),
  language: 'nb',
  reached: {
    created: T0,
    sms_sent: T0 + 800,
    sms_delivered: T0 + 3800,
    link_opened: T0 + 20_800,
    consent_given: T0 + 30_800,
    camera_granted: T0 + 32_000,
    first_frame: T0 + 35_300,
  },
  outcome: 'video',
  synthetic: false,
};
const failed: SessionFunnel = {
  createdAt: new Date(T0 + 60_000).toISOString(),
  reached: { created: T0 + 60_000 },
  outcome: 'failed',
  cause: 'sms_failed',
  synthetic: true,
};

describe('sessionsCsv: one anonymised row per session (RFC 4180)', () => {
  it('writes the header and a row per session: pseudonyms, creation to the minute, ms since the SMS per stage, cause, synthetic', async () => {
    const p = await Pseudonyms.open(await mkdtemp(join(tmpdir(), 'csv-')));
    const text = sessionsCsv(
      [
        { id: 's_AAAAAAAAAAAA', dispatcher: 'alice', funnel: video },
        { id: 's_BBBBBBBBBBBB', dispatcher: 'bob', funnel: failed },
      ],
      p,
    );
    expect(text.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','));
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        session: p.session('s_AAAAAAAAAAAA'),
        created: '2026-11-30T10:04Z',
        language: 'nb',
        dispatcher: p.dispatcher('alice'),
        sms_sent_ms: '0',
        sms_delivered_ms: '3000',
        link_opened_ms: '20000',
        consent_given_ms: '30000',
        camera_granted_ms: '31200',
        first_frame_ms: '34500',
        outcome: 'video',
        failure_cause: '',
        synthetic: 'false',
      },
      {
        session: p.session('s_BBBBBBBBBBBB'),
        created: '2026-11-30T10:05Z',
        language: '',
        dispatcher: p.dispatcher('bob'),
        sms_sent_ms: '',
        sms_delivered_ms: '',
        link_opened_ms: '',
        consent_given_ms: '',
        camera_granted_ms: '',
        first_frame_ms: '',
        outcome: 'failed',
        failure_cause: 'sms_failed',
        synthetic: 'true',
      },
    ]);
    for (const secret of ['s_AAAAAAAAAAAA', 'alice', 'bob']) expect(text).not.toContain(secret);
  });

  it('quotes a field holding a comma, a quote or a line break, doubling quotes', async () => {
    const p = await Pseudonyms.open(await mkdtemp(join(tmpdir(), 'csv-')));
    const text = sessionsCsv([{ id: 's_1', dispatcher: 'x', funnel: { ...video, language: 'a,"b"\r\nc' } }], p);
    expect(text).toContain('"a,""b""\r\nc"');
    expect((parse(text, { columns: true }) as Record<string, string>[])[0]!['language']).toBe('a,"b"\r\nc');
  });

  it('is the header alone for no sessions', async () => {
    const p = await Pseudonyms.open(await mkdtemp(join(tmpdir(), 'csv-')));
    expect(sessionsCsv([], p)).toBe(`${CSV_COLUMNS.join(',')}\r\n`);
  });
});
