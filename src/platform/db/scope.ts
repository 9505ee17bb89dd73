// A data scope: one transaction under one principal, with the key store and an audit writer bound to both. The only
// ways code outside the kernel gets one are req.withData / req.withSystem (src/platform/http/request-context.ts) and,
// for work outside a request (the demo seed, the bench, imports), runInScope / systemTask below.
import type { Kysely } from 'kysely';
import { NO_ACCESS_POINT, writeAudit, type AccessPoint, type AuditEvent } from '../audit/audit.js';
import type { KeyStore } from '../crypto/keys.js';
import { withPrincipal, type PinnedTransaction, type Principal, type SystemPurpose, type Tx } from './principal.js';
import type { DB } from './schema.js';

export interface DataScope {
  tx: Tx;
  principal: Principal;
  keys: KeyStore;
  audit: (...events: AuditEvent[]) => Promise<void>;
}

/** What a scope is opened with: the owner connection (used only to open the transaction) and the key store. */
export interface ScopeServices {
  db: Kysely<DB>;
  keys: KeyStore;
}

export function runInScope<T>(
  services: ScopeServices,
  principal: Principal,
  fn: (scope: DataScope) => Promise<T>,
  at: AccessPoint = NO_ACCESS_POINT,
): Promise<T> {
  return withPrincipal(services.db, principal, (tx) =>
    fn({ tx, principal, keys: services.keys, audit: (...events) => writeAudit(tx, principal, at, events) }),
  );
}

/** A scope on a transaction that is already open as this principal (a request's own): commits it at the end. */
export async function runOnPinned<T>(
  services: ScopeServices,
  pinned: PinnedTransaction,
  principal: Principal,
  fn: (scope: DataScope) => Promise<T>,
  at: AccessPoint = NO_ACCESS_POINT,
): Promise<T> {
  const tx = pinned.tx;
  let result: T;
  try {
    result = await fn({
      tx,
      principal,
      keys: services.keys,
      audit: (...events) => writeAudit(tx, principal, at, events),
    });
  } catch (err) {
    await pinned.finish('rollback').catch(() => undefined);
    throw err;
  }
  await pinned.finish('commit');
  return result;
}

/** System work outside a request (start-up, maintenance), for one named purpose. */
export function systemTask<T>(
  services: ScopeServices,
  purpose: SystemPurpose,
  fn: (scope: DataScope) => Promise<T>,
): Promise<T> {
  return runInScope(services, { kind: 'system', purpose }, fn);
}
