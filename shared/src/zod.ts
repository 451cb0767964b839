import { z } from 'zod';

/**
 * zod, without its JIT, for every schema of ours: import `z` from here, never from 'zod'.
 *
 * When an object schema is built, zod probes `new Function('')` to see whether it may compile a
 * faster parser. Our pages forbid that (CSP `script-src 'self'`), so in a browser the probe always
 * fails, and though zod catches the error the browser still reports a policy violation on every
 * page load (a `securitypolicyviolation` event and a report; Firefox also logs it as an error).
 * Browsers run the interpreted parser either way; the server validates small messages, where two
 * parsers are not worth their gain. Source: zod 4 `util.allowsEval` and `globalConfig.jitless`.
 */
z.config({ jitless: true });

export { z };
