// Static assets: one stylesheet built at start from the NL Design System packages (Utrecht components, the
// open "voorbeeld" token theme, the DigiD button) plus Koepel's own layout rules, and a per-portal theme file
// that overrides design tokens (a portal's theme is a token set).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { PortalView } from './context.js';

const require = createRequire(import.meta.url);
const read = (spec: string) => readFileSync(require.resolve(spec), 'utf8');
const own = (name: string) => readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8');

function buildStylesheet(): string {
  return [
    '/* NL Design System: @utrecht/component-library-css (EUPL-1.2) */',
    read('@utrecht/component-library-css/dist/index.css'),
    read('@utrecht/digid-button-css/dist/index.css'),
    '/* Design tokens: @nl-design-system-unstable/voorbeeld-design-tokens (EUPL-1.2) */',
    read('@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css'),
    own('koepel.css'),
  ].join('\n');
}

const TOKEN_NAME = /^--[a-z0-9-]{1,80}$/;
const TOKEN_VALUE = /^[#(),.%\w\s-]{1,80}$/;

/** A portal theme: CSS custom properties only, each name and value checked so nothing else can be injected. */
export function themeStylesheet(theme: Record<string, string>): string {
  const lines = Object.entries(theme)
    .filter(([k, v]) => TOKEN_NAME.test(k) && TOKEN_VALUE.test(v))
    .map(([k, v]) => `  ${k}: ${v};`);
  return `.koepel-theme {\n${lines.join('\n')}\n}\n`;
}

export function registerAssets(app: FastifyInstance, portals: () => PortalView[]): void {
  const css = buildStylesheet();
  const favicon = own('favicon.svg');
  const digid = own('digid-logo.svg');
  const sessionTimeout = own('session-timeout.js');
  const cache = 'public, max-age=3600';
  app.get('/assets/koepel.css', async (_req, reply) =>
    reply.type('text/css; charset=utf-8').header('Cache-Control', cache).send(css),
  );
  app.get('/assets/favicon.svg', async (_req, reply) =>
    reply.type('image/svg+xml').header('Cache-Control', cache).send(favicon),
  );
  app.get('/assets/digid-logo.svg', async (_req, reply) =>
    reply.type('image/svg+xml').header('Cache-Control', cache).send(digid),
  );
  app.get('/assets/session-timeout.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', cache).send(sessionTimeout),
  );
  app.get<{ Params: { slug: string } }>('/assets/theme/:slug.css', async (req, reply) => {
    const portal = portals().find((p) => p.slug === req.params.slug);
    return reply
      .type('text/css; charset=utf-8')
      .header('Cache-Control', 'public, max-age=60')
      .send(portal ? themeStylesheet(portal.theme) : '');
  });
}
