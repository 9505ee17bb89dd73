// TURN REST API credentials (draft-uberti-behave-turn-rest, what coturn's use-auth-secret checks): the username is
// "<unix expiry>:<opaque id>" and the password base64(HMAC-SHA1(shared secret, username)). coturn logs the username,
// so the id is a random one per room visit — never a BSN, a name or the appointment.
import { createHmac, randomBytes } from 'node:crypto';

/** How long handed-out TURN credentials stay valid; a call already relayed keeps its allocation. */
export const TURN_TTL_SECONDS = 600;

export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

export function turnCredentials(
  turn: { urls: string[]; secret: string },
  now: Date = new Date(),
  id: string = randomBytes(12).toString('base64url'),
): { iceServers: IceServer[]; ttl: number } {
  const expiry = Math.floor(now.getTime() / 1000) + TURN_TTL_SECONDS;
  const username = `${expiry}:${id}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { iceServers: [{ urls: turn.urls, username, credential }], ttl: TURN_TTL_SECONDS };
}
