// Message catalogues: Dutch first, English second. Each capability keeps its own messages next to its code
// (src/<capability>/messages.ts) and registers them in catalogue.ts; a missing English text falls back to Dutch.
import { catalogue, type MessageKey } from './catalogue.js';

export type { MessageKey };
export type Lang = 'nl' | 'en';
export const LANGS: readonly Lang[] = ['nl', 'en'];

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function isLang(v: unknown): v is Lang {
  return v === 'nl' || v === 'en';
}

export function translator(lang: Lang): Translate {
  const messages = catalogue[lang] as Partial<Record<MessageKey, string>>;
  return (key, params) => {
    const text = messages[key] ?? catalogue.nl[key];
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  };
}
