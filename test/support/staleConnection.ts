/**
 * Node's fetch (undici) keeps connections alive and, unlike a browser, does not send a request again
 * when the kept-alive connection it picked turns out to have been closed by the server just before
 * (`UND_ERR_SOCKET`, "other side closed", thrown before any answer). On two loaded cores that race
 * sank whole test files (supervisor-trail, audit-search) with no fault in the server. Browsers
 * resend such a request on a new connection (Chromium's HttpNetworkTransaction "retry on reused
 * socket" rule); this setup file makes the tests' fetch do the same, once, and nothing else.
 */
const plainFetch = globalThis.fetch;

function closedBeforeAnswer(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code === 'UND_ERR_SOCKET' && /other side closed/.test(cause.message ?? '');
}

globalThis.fetch = async (input, init) => {
  try {
    return await plainFetch(input, init);
  } catch (err) {
    // A stream body cannot be sent twice; the tests send strings and byte arrays.
    if (!closedBeforeAnswer(err) || init?.body instanceof ReadableStream) throw err;
    return plainFetch(input, init);
  }
};
