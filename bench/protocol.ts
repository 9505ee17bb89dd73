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
  | {
      type: 'stats';
      id: number;
      queries: number;
      transactions: number;
      auditRows: number;
      /** CPU time (user + system) the server process has used, in microseconds. */
      cpuMicros: number;
    }
  | { type: 'trace'; id: number; statements: string[] }
  | { type: 'error'; message: string };

export type ToServer =
  | { type: 'stats'; id: number }
  | { type: 'traceStart'; id: number }
  | { type: 'traceStop'; id: number }
  | { type: 'stop' };
