// CPU time of the processes that serve a benchmark, read from Linux's /proc: the PostgreSQL backends of one database
// and any named processes (a peer server's node process). Together with the server's own process.cpuUsage() this is
// the "total CPU per request" the benches print: what one request costs the machine, whoever spends it.
import { readdirSync, readFileSync } from 'node:fs';

/** A reading: microseconds of CPU used so far, by pid. */
export type CpuByPid = Map<string, number>;

/** utime + stime of one process (all its threads) in microseconds, with its command name; null if it is gone. */
function readStat(pid: string): { comm: string; micros: number } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // the process ended meanwhile, or is not ours to read
  }
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // After "pid (comm) ": state is field 0, utime field 11, stime field 12 (proc(5) fields 14 and 15), in clock ticks
  // of 1/100 s on Linux (sysconf(_SC_CLK_TCK)).
  return {
    comm: stat.slice(stat.indexOf('(') + 1, close),
    micros: (Number(fields[11]) + Number(fields[12])) * 10_000,
  };
}

/**
 * The name of the local database a URL points at, or null when its backends cannot be read here (another OS, or a
 * server on another host).
 */
export function localDatabaseName(url: string | undefined): string | null {
  if (!url || process.platform !== 'linux') return null;
  const u = new URL(url);
  const host = u.searchParams.get('host') ?? u.hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host) && !host.startsWith('/')) return null;
  return decodeURIComponent(u.pathname.slice(1));
}

/**
 * CPU time used so far by each local PostgreSQL backend serving the given database, or null when database is null
 * or this is not Linux. Backends of other databases (a test suite running meanwhile) are left out: they are
 * recognised by the process title "postgres: …: user database …".
 */
export function postgresCpuByPid(database: string | null): CpuByPid | null {
  if (!database || process.platform !== 'linux') return null;
  const byPid: CpuByPid = new Map();
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let title: string;
    try {
      title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!title.startsWith('postgres: ') || !title.includes(` ${database} `)) continue;
    const stat = readStat(pid);
    if (stat?.comm === 'postgres') byPid.set(pid, stat.micros);
  }
  return byPid;
}

/** CPU used so far by the given processes (a process that is gone counts as 0), or null when none are named. */
export function processCpuByPid(pids: readonly string[]): CpuByPid | null {
  if (pids.length === 0 || process.platform !== 'linux') return null;
  return new Map(pids.map((pid) => [pid, readStat(pid)?.micros ?? 0]));
}

/**
 * CPU used between two readings, in microseconds. A backend that the pool opened meanwhile counts from 0; one that
 * it closed meanwhile (idle) is not counted.
 */
export function cpuDelta(before: CpuByPid | null, after: CpuByPid | null): number | null {
  if (!before || !after) return null;
  let micros = 0;
  for (const [pid, used] of after) micros += used - (before.get(pid) ?? 0);
  return micros;
}
