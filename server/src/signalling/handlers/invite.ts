import { ForbiddenError } from '../../errors.js';
import { defineHandler, pretapChannel } from '../types.js';

/**
 * The tap over the socket the caller's page opened before it (issue #12): the invite is redeemed
 * exactly as `POST /api/invites/:code/redeem` does (consent logged and fsync'd, invite spent) before
 * the answer, and from then on this socket is the caller's: its pre-tap transport, already connected,
 * may produce. Answers with what the HTTP redeem answers.
 */
export const redeemInvite = defineHandler({
  name: 'invite:redeem',
  action: 'redeem',
  budget: 'join',
  async handle({ socket, principal, services }) {
    if (principal.typ !== 'pretap') throw new ForbiddenError('only a page before its tap redeems here');
    // Out of the pre-tap channel first: the consent this records cuts the session's other pre-tap sockets.
    await socket.leave(pretapChannel(principal.sessionId));
    const {
      response,
      principal: caller,
      expiresAt,
    } = await services.invites.redeemPretap(principal).catch(async (err: unknown) => {
      await socket.join(pretapChannel(principal.sessionId));
      throw err;
    });
    socket.data.principal = caller;
    socket.data.expiresAt = expiresAt;
    return response;
  },
});
