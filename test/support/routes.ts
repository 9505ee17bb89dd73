// Every route Koepel registered, read from Fastify's route tree, for the security tests that try each route (not
// routes picked by path name): test/security/brp-data and private-notes.

/** Every route as [full path, methods], from Fastify's route tree (`app.printRoutes({ commonPrefix: false })`). */
export function allRoutes(tree: string): [string, string[]][] {
  const parents: string[] = [];
  const out: [string, string[]][] = [];
  for (const line of tree.split('\n')) {
    const m = /^(.*?)[└├]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!m) continue;
    const depth = Math.round((m[1] ?? '').length / 4);
    const segment = m[2] ?? '';
    const parent = depth > 0 ? (parents[depth - 1] ?? '') : '';
    const full = depth === 0 ? segment : `${parent}/${segment}`.replace(/\/{2,}/g, '/');
    parents[depth] = full;
    out.push([full, (m[3] ?? '').split(',').map((x) => x.trim())]);
  }
  return out;
}
