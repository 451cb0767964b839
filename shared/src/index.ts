// First: zod is told not to compile code before any schema below is built (see zod.ts).
import './zod.js';
export * from './sessions/lifecycle.js';
export * from './sessions/browser.js';
export * from './sessions/sessionId.js';
export * from './sessions/cpr.js';
export * from './api/errors.js';
export * from './api/rest.js';
export * from './api/routes.js';
export * from './api/webhooks.js';
export * from './api/eido.js';
export * from './analytics/funnel.js';
export * from './time/wallClock.js';
export * from './signalling/messages.js';
export * from './text.js';
export * from './phone.js';
export * from './showMe.js';
