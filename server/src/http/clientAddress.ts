import ipaddr from 'ipaddr.js';

/**
 * The key every per-address limit counts a client under (login, invite and code redemption).
 *
 * - IPv4: the full address (`203.0.113.7`).
 * - IPv6: its /64 (`2001:db8:1:2::/64`). One subscriber's LAN or phone gets at least a /64 (RFC 6177,
 *   RFC 7934 §6: a /64 per device on mobile networks), so the addresses inside it are one client;
 *   keyed by full address, an attacker gets 2^64 fresh keys for free.
 * - IPv4-mapped IPv6 (`::ffff:203.0.113.7`, as a dual-stack socket reports IPv4 peers): the IPv4 address.
 * - Anything unparsable (no address at all): `unknown`, one shared key, so it gains nothing.
 *
 * `ip` is express's `req.ip`: the peer, or X-Forwarded-For as far as TRUST_PROXY believes it.
 */
export function addressKey(ip: string | undefined): string {
  // Only dotted quads: ipaddr also takes classful shorthand (`1.2.3`), which no proxy or socket reports.
  if (!ip || !(ipaddr.IPv4.isValidFourPartDecimal(ip) || ipaddr.IPv6.isValid(ip))) return 'unknown';
  const addr = ipaddr.process(ip);
  if (addr.kind() === 'ipv4') return addr.toString();
  const bytes = addr.toByteArray().slice(0, 8).concat(Array<number>(8).fill(0));
  return `${ipaddr.fromByteArray(bytes).toString()}/64`;
}
