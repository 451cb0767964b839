export * from './sessions/lifecycle.js';
export * from './sessions/browser.js';
export * from './api/errors.js';
export * from './api/rest.js';
export * from './signalling/messages.js';
