// Sending mail (issue 14): through SMTP with nodemailer (SMTP_URL), or — in the embedded demo default without an SMTP
// server, never in production — into an in-memory dev outbox that /dev/outbox shows.
import nodemailer, { type Transporter, type TransportOptions } from 'nodemailer';
import type { Config } from '../platform/config.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Derived from the job's id: a retry after an unclear outcome carries the same id, so receivers can drop a twin. */
  messageId: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface OutboxEntry extends OutgoingMail {
  from: string;
  at: Date;
}

/** The dev outbox: the last 200 mails of this process. */
export class DevOutbox implements Mailer {
  readonly entries: OutboxEntry[] = [];
  constructor(private readonly from: string) {}
  async send(mail: OutgoingMail): Promise<void> {
    if (this.entries.some((e) => e.messageId === mail.messageId)) return;
    this.entries.unshift({ ...mail, from: this.from, at: new Date() });
    this.entries.length = Math.min(this.entries.length, 200);
  }
  close(): void {}
}

export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;
  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(url, {
      // A slow or hanging server fails the attempt (the queue retries) rather than holding the worker.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as TransportOptions);
  }
  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: { 'Auto-Submitted': 'auto-generated' },
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }
  close(): void {
    this.transport.close();
  }
}

export function createMailer(config: Config): Mailer {
  if (config.mail.smtpUrl) return new SmtpMailer(config.mail.smtpUrl, config.mail.from);
  if (!config.mail.devOutbox) throw new Error('no SMTP server configured');
  return new DevOutbox(config.mail.from);
}

/** A permanent refusal by the receiving server (a 5xx reply, e.g. 550 no such user). */
export function isPermanentRejection(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
