import { pino } from 'pino';

/** Quiet unless a test run asks for logs with TEST_LOG_LEVEL. */
export const testLogger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
