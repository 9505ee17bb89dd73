// Messages between bench/run.ts (load generator) and bench/server.ts (server under test) over the IPC channel.

export interface BenchSession {
  /** Value of the __Host-koepel-session cookie. */
  token: string;
  /** The session's CSRF token, for form posts. */
  csrf: string;
}

export interface BenchFixtures {
  citizenSessions: BenchSession[];
  staffSessions: BenchSession[];
}

export type FromServer =
  | {
      type: 'ready';
      port: number;
      database: 'pglite' | 'postgres';
      poolSize: number;
      routes: { home: boolean; staffSearch: boolean };
      fixtures: BenchFixtures;
    }
  | { type: 'stats'; id: number; queries: number; transactions: number; auditRows: number }
  | { type: 'error'; message: string };

export type ToServer = { type: 'stats'; id: number } | { type: 'stop' };
