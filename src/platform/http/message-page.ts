// A page that only says something (a refusal, an expired link, a next step): the layout's MessagePage, in the
// visitor's language, as the answer to this request.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Translate } from '../i18n/i18n.js';
import { MessagePage } from '../web/layout.js';
import { pageContext, sendPage } from './request-context.js';

export interface Message {
  title: string;
  body: string;
  extra?: string | undefined;
  link?: { href: string; label: string };
}

/** Sends a MessagePage with `status`; `message` writes its texts with the visitor's translator. */
export function sendMessage(
  req: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: (t: Translate) => Message,
): Promise<FastifyReply> {
  const ctx = pageContext(req);
  return sendPage(reply, MessagePage({ ctx, ...message(ctx.t) }), status);
}
