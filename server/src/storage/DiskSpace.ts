import { statfs } from 'node:fs/promises';
import { InsufficientStorageError } from '../errors.js';

/**
 * The free-space floor of the data directory (MIN_FREE_DISK_MB). New media (stills, recordings) is
 * refused below it, so what is left stays for the logs, whose appends are never refused here: a log
 * record is a few hundred bytes, a still up to a few MB and a recording minute several.
 */
export class DiskSpace {
  constructor(
    readonly dir: string,
    /** Bytes that must stay free after a write. */
    readonly floorBytes: number,
  ) {}

  /** Bytes an unprivileged writer may still use on the data directory's file system. */
  async freeBytes(): Promise<number> {
    const s = await statfs(this.dir);
    return s.bavail * s.bsize;
  }

  /**
   * Throws InsufficientStorageError ('disk_floor', 507) when writing `bytes` more would leave less
   * than the floor free. A check, not a reservation: writers racing past it overshoot by their size.
   */
  async ensureRoom(bytes: number, what: string): Promise<void> {
    const free = await this.freeBytes();
    if (free - bytes < this.floorBytes) throw new InsufficientStorageError('disk_floor', `the server's disk is nearly full: no room for ${what}`);
  }
}
