import { readFile } from 'node:fs/promises';
import { CHAT_PRESET_IDS } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import { PRESETS_EN } from './eidoNotes.js';

describe('EIDO notes', () => {
  it("give every preset in the caller page's own English words", async () => {
    const en = await readFile(new URL('../../../client/src/caller/i18n/en.ts', import.meta.url), 'utf8');
    for (const id of CHAT_PRESET_IDS) expect(en).toContain(`${id}: ${JSON.stringify(PRESETS_EN[id]).replaceAll('"', "'")}`);
  });
});
