import { defineRoute } from '../http/route.js';
import { NotFoundError } from '../errors.js';
import type { ClipStore } from './ClipStore.js';

/**
 * The centre's demonstration clips (issue #15 §1), for staff: the console lists them in its
 * "show me" source picker and plays the chosen one to the caller. They hold no caller data.
 */
export function clipRoutes(clips: ClipStore) {
  const staffOnly = { staff: ['dispatcher', 'supervisor'] } as const;
  return [
    defineRoute('GET /api/clips', {
      access: staffOnly,
      async handle() {
        return { clips: await clips.list() };
      },
    }),
    defineRoute('GET /api/clips/:name', {
      access: staffOnly,
      async handle({ params, res }) {
        const file = await clips.filePath(params.name);
        if (!file) throw new NotFoundError('clip');
        await new Promise<void>((resolve, reject) =>
          res.sendFile(file, { acceptRanges: true, headers: { 'Content-Type': 'video/webm', 'Cache-Control': 'private, max-age=300' } }, (err) =>
            !err || res.headersSent ? resolve() : reject(err),
          ),
        );
      },
    }),
  ];
}
