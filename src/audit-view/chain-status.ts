// Whether the audit log's hash chains verify, for the privacy officer's screen.
//
// Why the result of the last run and not a check per page view: verifying means rebuilding every chain from its first
// record (src/platform/audit/verify.ts), a scan of the whole table — seconds for a few hundred thousand records,
// minutes for tens of millions — and the 16 chains are shared by all organisations (a record's chain follows the
// database connection that wrote it), so there is no smaller "chain of this organisation" to check. Incremental
// checking (only the records since the last run) would be cheap, but would not see a rewrite of an older record by
// someone who can change the database, which is exactly what the check is for. So each node runs the full check
// in the background, one run at a time, when the screen is viewed and the last result is older than STALE_MS (or
// when the officer asks for a check now), waits at most WAIT_MS for it, and otherwise shows the previous result with
// its time and says a check is running. `npm run audit:verify` is the same check from the command line.
import type { Kysely } from 'kysely';
import type { Config } from '../platform/config.js';
import {
  latestStoredCheckpoint,
  readCheckpointFile,
  type CheckpointBody,
  type StoredCheckpoint,
} from '../platform/audit/checkpoint.js';
import { verifyAuditLog } from '../platform/audit/verify.js';
import type { DB } from '../platform/db/schema.js';

export const STALE_MS = 10 * 60_000;
export const WAIT_MS = 2_000;

export type ChainCheck =
  | { ok: true; checkedAt: Date; chains: number; againstCheckpoints: number }
  | { ok: false; checkedAt: Date; chainId: number | null; seq: number | null; checkpointLine: number | null };

export interface ChainStatus {
  /** The last finished run; null before the first one on this node finished. */
  last: ChainCheck | null;
  /** A run is going on now. */
  running: boolean;
  checkpoint: StoredCheckpoint | null;
  /** Signed checkpoints are checked from a file (KOEPEL_AUDIT_CHECKPOINT_FILE and a public key). */
  checkpointFile: boolean;
}

export class ChainMonitor {
  private last: ChainCheck | null = null;
  private run: Promise<void> | null = null;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly config: Pick<Config, 'auditCheckpoint'>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Starts a run unless one is going; resolves when it is done. */
  check(): Promise<void> {
    this.run ??= this.verify()
      .then((r) => {
        this.last = r;
      })
      .catch(this.onError)
      .finally(() => {
        this.run = null;
      });
    return this.run;
  }

  private async verify(): Promise<ChainCheck> {
    const { publicKey, file } = this.config.auditCheckpoint;
    let checkpoints: CheckpointBody[] = [];
    if (publicKey && file) {
      const read = readCheckpointFile(file, publicKey);
      if (!read.ok) return { ok: false, checkedAt: new Date(), chainId: null, seq: null, checkpointLine: read.line };
      checkpoints = read.checkpoints;
    }
    const result = await verifyAuditLog(this.db, 5000, checkpoints);
    return result.ok
      ? { ok: true, checkedAt: new Date(), chains: result.chains, againstCheckpoints: result.checkpoints }
      : { ok: false, checkedAt: new Date(), chainId: result.chainId, seq: result.seq, checkpointLine: null };
  }

  /** Resolves when no run is going (for shutdown). */
  async idle(): Promise<void> {
    await this.run;
  }

  /** The status for a page: starts a run when the last is stale (or `now`) and waits for it a little. */
  async status(opts: { now?: boolean } = {}): Promise<ChainStatus> {
    const stale = !this.last || Date.now() - this.last.checkedAt.getTime() > STALE_MS;
    if (stale || opts.now) {
      const run = this.check();
      await Promise.race([run, new Promise((r) => setTimeout(r, WAIT_MS).unref())]);
    }
    const { publicKey, file } = this.config.auditCheckpoint;
    return {
      last: this.last,
      running: this.run !== null,
      checkpoint: await latestStoredCheckpoint(this.db, publicKey),
      checkpointFile: publicKey !== null && file !== null,
    };
  }
}
