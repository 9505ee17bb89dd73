// Message catalogues: Dutch first, English second. The kernel knows no capability's texts: each capability keeps its
// messages beside its code (src/<capability>/messages.ts), adds their keys to the MessageRegistry type below (module
// augmentation, so `t('dossier.title')` is checked by the compiler), and registers the catalogue itself when its
// plugin is registered (src/platform/capability.ts). Messages are ICU MessageFormat: plurals and number agreement are
// written in the message ("{count, plural, one {# document} other {# documenten}}"), never as key-name tricks.
import { IntlMessageFormat } from 'intl-messageformat';

export type Lang = 'nl' | 'en';
export const LANGS: readonly Lang[] = ['nl', 'en'];

/**
 * Every message key of the application. Empty here: each capability's messages.ts adds its own keys with
 *   declare module '../platform/i18n/i18n.js' { interface MessageRegistry extends MyMessages {} }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by module augmentation
export interface MessageRegistry {}
export type MessageKey = Extract<keyof MessageRegistry, string>;

export type MessageParams = Record<string, string | number | Date>;

export interface Translate {
  (key: MessageKey, params?: MessageParams): string;
  /** Whether a key computed at run time (e.g. from a code) has a message. */
  has(key: string): key is MessageKey;
}

/** A capability's texts. `en` may leave keys out: those fall back to Dutch. */
export interface Catalogue<K extends string = string> {
  readonly nl: Readonly<Record<K, string>>;
  readonly en: Readonly<Partial<Record<K, string>>>;
}

/** Declares a catalogue: the English texts may only use keys the Dutch ones have. */
export function defineMessages<N extends Record<string, string>>(c: {
  nl: N;
  en: { [K in keyof N]?: string };
}): Catalogue<keyof N & string> {
  return c;
}

export function isLang(v: unknown): v is Lang {
  return v === 'nl' || v === 'en';
}

const LOCALES: Record<Lang, string> = { nl: 'nl-NL', en: 'en-GB' };

/** The registered catalogues of one application; each message is compiled once, at its first use. */
export class Messages {
  private readonly texts: Record<Lang, Map<string, string>> = { nl: new Map(), en: new Map() };
  /** A text without ICU syntax is kept as it is: most messages, and they need no formatter. */
  private readonly compiled: Record<Lang, Map<string, IntlMessageFormat | string>> = { nl: new Map(), en: new Map() };
  private readonly translators = new Map<Lang, Translate>();
  private readonly registered = new Set<Catalogue>();

  /** Adds a catalogue; a key that another catalogue already defines is a programming error. */
  add(catalogue: Catalogue): void {
    if (this.registered.has(catalogue)) return;
    for (const key of Object.keys(catalogue.nl)) {
      if (this.texts.nl.has(key)) throw new Error(`message key ${key} is defined twice`);
    }
    for (const key of Object.keys(catalogue.en)) {
      if (!(key in catalogue.nl)) throw new Error(`English message ${key} has no Dutch original`);
    }
    for (const [k, v] of Object.entries(catalogue.nl)) this.texts.nl.set(k, v);
    for (const [k, v] of Object.entries(catalogue.en)) if (v !== undefined) this.texts.en.set(k, v);
    this.registered.add(catalogue);
  }

  has(key: string): key is MessageKey {
    return this.texts.nl.has(key);
  }

  /** Every key with its Dutch and English text (for checks that each text is complete). */
  entries(): { key: string; nl: string; en: string | undefined }[] {
    return [...this.texts.nl].map(([key, nl]) => ({ key, nl, en: this.texts.en.get(key) }));
  }

  private format(lang: Lang, key: string, params: MessageParams | undefined): string {
    const own = this.texts[lang].has(key);
    const from: Lang = own ? lang : 'nl';
    let message = this.compiled[from].get(key);
    if (!message) {
      const text = this.texts[from].get(key);
      // A key without a text (its capability is not registered in this configuration) shows as itself: visible in
      // review and in tests, never a crash.
      if (text === undefined) return key;
      // ignoreTag: '<' in a text is a character, not markup; pages escape what they print.
      message = /[{}']/.test(text) ? new IntlMessageFormat(text, LOCALES[from], undefined, { ignoreTag: true }) : text;
      this.compiled[from].set(key, message);
    }
    if (typeof message === 'string') return message;
    // A placeholder the caller did not fill stays as it is written ("{name}"): a visible slip, never a failed page.
    const values = new Proxy(params ?? {}, {
      has: () => true,
      get: (target, name) => (typeof name === 'string' && name in target ? target[name] : `{${String(name)}}`),
    });
    const out = message.format(values);
    return typeof out === 'string' ? out : String(out);
  }

  translator(lang: Lang): Translate {
    let t = this.translators.get(lang);
    if (!t) {
      const translate = (key: MessageKey, params?: MessageParams) => this.format(lang, key, params);
      t = Object.assign(translate, { has: (key: string): key is MessageKey => this.has(key) });
      this.translators.set(lang, t);
    }
    return t;
  }
}
