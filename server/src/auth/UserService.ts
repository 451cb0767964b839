import type { StaffRole } from '@sightline/shared';
import type { Logger } from '../logging.js';
import type { Store } from '../store/Store.js';
import { UnauthorizedError } from '../errors.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';

export class UserService {
  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  async add(username: string, role: StaffRole, password: string): Promise<boolean> {
    return this.store.addUser({ username, role, passwordHash: await hashPassword(password), createdAt: new Date().toISOString() });
  }

  /** Deletes the user (false when there was none); StaffLogins then refuses every login they hold. */
  async remove(username: string): Promise<boolean> {
    const removed = await this.store.removeUser(username);
    if (removed) this.log.warn({ security: 'token_revoked', reason: 'user_removed', username }, 'user removed: their logins are revoked');
    return removed;
  }

  /** DEMO_PASSWORD seeds `dispatcher` and `supervisor`, but only into an empty user base. */
  async seedDemoUsers(password: string | undefined): Promise<void> {
    if (!password || (await this.store.countUsers()) > 0) return;
    await this.add('dispatcher', 'dispatcher', password);
    await this.add('supervisor', 'supervisor', password);
    this.log.warn('seeded demo users "dispatcher" and "supervisor" from DEMO_PASSWORD');
  }

  async authenticate(username: string, password: string): Promise<{ username: string; role: StaffRole }> {
    const user = await this.store.getUser(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
    if (!user || !ok) throw new UnauthorizedError('wrong username or password');
    return { username: user.username, role: user.role };
  }
}
