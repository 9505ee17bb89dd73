// Login throttling (PR-7): counts failed staff logins per account and per client address, blocks a key for a
// while once it reaches its limit, and raises a security alert for the operator at that moment.
// Keys are pseudonymous (an HMAC of the e-mail address or IP address): the table never holds either in the clear.
// The check runs before any password hashing, so a blocked key costs the server nothing and a correct password
// during the block is refused like any other.
import type { Config } from '../config.js';
import type { KeyStore } from '../crypto/keys.js';
import type { Tx } from '../db/principal.js';

export interface ThrottlePolicy {
  accountMax: number;
  addressMax: number;
  /** Failures for one subject from all addresses together that raise a spread-attack alert (never a block). */
  spreadMax: number;
  windowMs: number;
  blockMs: number;
}

const MINUTE = 60_000;
/** Many people can share an address (an office, a hospital's NAT), so it gets more room than one account. */
const ADDRESS_FACTOR = 4;
/** A spread attack: failures for one subject from at least this many addresses in one window. */
const SPREAD_ADDRESSES = 4;

export function throttlePolicy(config: Pick<Config, 'loginMaxFailures'>): ThrottlePolicy {
  return {
    accountMax: config.loginMaxFailures,
    addressMax: config.loginMaxFailures * ADDRESS_FACTOR,
    // Each address is blocked after accountMax failures, so this many failures in one window come from at least
    // SPREAD_ADDRESSES addresses: someone is trying one client from many places.
    spreadMax: config.loginMaxFailures * SPREAD_ADDRESSES,
    windowMs: 15 * MINUTE,
    blockMs: 15 * MINUTE,
  };
}

export interface ThrottleKeys {
  /** The subject that is blocked: an account, or a client id from one address. */
  account: string;
  address: string;
  /**
   * Optional: the subject across all addresses (a client id). Counted, never blocked — a block here would let
   * anyone who knows the id lock it out — but reaching `spreadMax` raises a "spread" alert for the operator.
   */
  spread?: string;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function accountKey(keys: KeyStore, email: string): string {
  return `account:${keys.blindIndex('throttle-account', normaliseEmail(email)).toString('hex')}`;
}

export function addressKey(keys: KeyStore, ip: string): string {
  return `address:${keys.blindIndex('throttle-address', throttleAddress(ip)).toString('hex')}`;
}

/**
 * The counters of a token endpoint's client authentication: per client id *from this address*, and per address.
 * `kind` keeps each endpoint's counters apart (and both apart from staff logins: a system's mistakes must not lock
 * staff out of logging in from the same address).
 */
export function clientKeys(keys: KeyStore, kind: 'api' | 'app', clientId: string, ip: string): ThrottleKeys {
  const address = throttleAddress(ip);
  return {
    account: `${kind}-client:${keys.blindIndex(`throttle-${kind}-client`, `${clientId}|${address}`).toString('hex')}`,
    address: `${kind}-address:${keys.blindIndex(`throttle-${kind}-address`, address).toString('hex')}`,
  };
}

/** What counts as one address: an IPv4 address, or an IPv6 /64 (one subscriber's network; anyone holding one
 * has billions of addresses in it). IPv4-mapped IPv6 addresses count as their IPv4 address. */
export function throttleAddress(ip: string): string {
  const v = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(v);
  if (mapped?.[1]) return mapped[1];
  if (!v.includes(':')) return v;
  const [head = '', tail = ''] = v.split('%')[0]?.split('::') ?? [];
  const left = head ? head.split(':') : [];
  const right = v.includes('::') && tail ? tail.split(':') : [];
  const groups = v.includes('::')
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g || '0', 16) || 0).toString(16))
    .join(':')}::/64`;
}

export interface ThrottleRow {
  failures: number;
  window_started_at: Date;
  blocked_until: Date | null;
}

export interface ThrottleNext extends ThrottleRow {
  /** This failure started a block: raise an alert. */
  newlyBlocked: boolean;
}

/** The state after one more failure. Pure, so the rules are easy to read and to test. */
export function nextThrottleState(
  row: ThrottleRow | null,
  now: Date,
  max: number,
  policy: ThrottlePolicy,
): ThrottleNext {
  const t = now.getTime();
  if (row?.blocked_until && row.blocked_until.getTime() > t) {
    // Already blocked (a concurrent attempt passed the check at the same moment): count it, keep the block.
    return { ...row, failures: row.failures + 1, newlyBlocked: false };
  }
  const fresh = !row || row.blocked_until !== null || t - row.window_started_at.getTime() > policy.windowMs;
  const failures = fresh ? 1 : row.failures + 1;
  const windowStartedAt = fresh ? now : row.window_started_at;
  const blocked = failures >= max;
  return {
    failures,
    window_started_at: windowStartedAt,
    blocked_until: blocked ? new Date(t + policy.blockMs) : null,
    newlyBlocked: blocked,
  };
}

export interface AlertDetail {
  scope: 'account' | 'address' | 'spread';
  failures: number;
  windowMinutes: number;
  blockedUntil: Date | null;
}

/** Alert details are stored language-neutral (and without personal data); the operator's page words them. */
export function alertDetail(d: AlertDetail): string {
  return `scope=${d.scope} failures=${d.failures} window=${d.windowMinutes}m blocked_until=${d.blockedUntil?.toISOString() ?? '-'}`;
}

export function parseAlertDetail(detail: string): AlertDetail | null {
  const m = /^scope=(account|address|spread) failures=(\d+) window=(\d+)m blocked_until=(\S+)$/.exec(detail);
  if (!m?.[1] || !m[2] || !m[3] || !m[4]) return null;
  const until = m[4] === '-' ? null : new Date(m[4]);
  return {
    scope: m[1] as AlertDetail['scope'],
    failures: Number(m[2]),
    windowMinutes: Number(m[3]),
    blockedUntil: until && !Number.isNaN(until.getTime()) ? until : null,
  };
}

/** The time until which any of the keys is blocked, or null when none is. Touches nothing. */
export async function blockedUntil(tx: Tx, keys: ThrottleKeys, now = new Date()): Promise<Date | null> {
  const rows = await tx
    .selectFrom('login_throttle')
    .select(['blocked_until'])
    .where('key', 'in', [keys.account, keys.address])
    .where('blocked_until', '>', now)
    .execute();
  const times = rows.map((r) => r.blocked_until?.getTime() ?? 0);
  return times.length > 0 ? new Date(Math.max(...times)) : null;
}

export interface FailureResult {
  blocked: boolean;
}

/** Counts one failure against both keys; blocks and alerts where a limit is reached. Run under a system principal. */
export async function registerFailure(
  tx: Tx,
  keys: ThrottleKeys,
  policy: ThrottlePolicy,
  now = new Date(),
): Promise<FailureResult> {
  let blocked = false;
  const counters: (readonly ['account' | 'address' | 'spread', string, number])[] = [
    ['account', keys.account, policy.accountMax],
    ['address', keys.address, policy.addressMax],
  ];
  if (keys.spread !== undefined) counters.push(['spread', keys.spread, policy.spreadMax]);
  for (const [kind, key, max] of counters) {
    // One statement inserts the row or locks the existing one, and returns it: concurrent failures on one key count
    // one after the other, and a concurrent reset (clearAccount after a successful login deleting the row) can never
    // slip in between an insert and a separate SELECT … FOR UPDATE — PostgreSQL retries the insert if the row it
    // conflicted with is deleted meanwhile.
    const row = await tx
      .insertInto('login_throttle')
      .values({ key, failures: 0, window_started_at: now, blocked_until: null })
      .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ key: eb.ref('excluded.key') })))
      .returning(['failures', 'window_started_at', 'blocked_until'])
      .executeTakeFirstOrThrow();
    const next = nextThrottleState(row.failures === 0 ? null : row, now, max, policy);
    await tx
      .updateTable('login_throttle')
      .set({ failures: next.failures, window_started_at: next.window_started_at, blocked_until: next.blocked_until })
      .where('key', '=', key)
      .execute();
    // A spread row's blocked_until only means "alerted until": blockedUntil() never reads that key.
    if (kind !== 'spread' && next.blocked_until && next.blocked_until.getTime() > now.getTime()) blocked = true;
    if (next.newlyBlocked) {
      const minutes = Math.round(policy.windowMs / MINUTE);
      await tx
        .insertInto('security_alert')
        .values({
          kind: kind === 'spread' ? 'spread-guessing' : 'password-guessing',
          subject: key,
          detail: alertDetail({
            scope: kind,
            failures: next.failures,
            windowMinutes: minutes,
            blockedUntil: kind === 'spread' ? null : next.blocked_until,
          }),
        })
        .execute();
    }
  }
  return { blocked };
}

/** Keeps the table small: rows whose window has passed (and that block nothing) carry no information any more.
 * Run in a transaction of its own: it skips rows that others hold, so it never waits and never deadlocks. */
export async function pruneThrottle(tx: Tx, policy: ThrottlePolicy, now = new Date()): Promise<void> {
  await tx
    .deleteFrom('login_throttle')
    .where('key', 'in', (eb) =>
      eb
        .selectFrom('login_throttle')
        .select('key')
        .where((w) =>
          w.or([
            w.and([
              w('blocked_until', 'is', null),
              w('window_started_at', '<', new Date(now.getTime() - policy.windowMs)),
            ]),
            w('blocked_until', '<', now),
          ]),
        )
        .limit(100)
        .forUpdate()
        .skipLocked(),
    )
    .execute();
}

/** After a complete, successful login the account starts with a clean slate (the address does not). */
export async function clearAccount(tx: Tx, keys: ThrottleKeys, now = new Date()): Promise<void> {
  await tx
    .deleteFrom('login_throttle')
    .where('key', '=', keys.account)
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<=', now)]))
    .execute();
}
