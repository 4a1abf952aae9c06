import { Controller, Get, Header, HttpCode, Inject, Post, Query, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { escapeHtml, SubscriptionCommands, verifyToken, type TokenPurpose } from '@frictionwatch/alerts';
import { APP_CONFIG, type AppConfig } from '@frictionwatch/config';
import { ApiProblems } from './openapi/api-docs';
import { ProblemError } from './problem';
import { orNotFound } from './subscriptions.controller';

const GONE = 'This subscription no longer exists';

/** The signed token of a link in a mail: the only authority these endpoints need. */
const TokenQuery = ApiQuery({ name: 'token', required: true, schema: { type: 'string' } });

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:40px auto;color:#111">
<h1 style="font-size:20px">${escapeHtml(title)}</h1>${body}</body></html>`;
}

/**
 * The links in mails, open without a key: the signed token is the authority. RFC 8058: mail clients
 * POST `List-Unsubscribe=One-Click` (form-encoded) to the List-Unsubscribe URL; a person clicking the
 * link gets a GET page with a button (a GET never unsubscribes: link scanners follow GETs).
 */
@ApiTags('alerts')
@ApiProduces('text/html')
@Controller('v1')
export class UnsubscribeController implements OnModuleInit {
  constructor(
    private readonly commands: SubscriptionCommands,
    private readonly adapter: HttpAdapterHost,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // Fastify parses JSON and text only; one-click unsubscribe posts a small form.
    const fastify = this.adapter.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (fastify && !fastify.hasContentTypeParser('application/x-www-form-urlencoded'))
      fastify.addContentTypeParser(
        'application/x-www-form-urlencoded',
        { parseAs: 'string', bodyLimit: 4096 },
        (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))),
      );
  }

  @Get('unsubscribe')
  @ApiOperation({
    summary: 'A page that shows the subscription and an unsubscribe button (a GET changes nothing)',
  })
  @TokenQuery
  @ApiOkResponse({ description: 'An HTML page' })
  @ApiProblems(403, 404)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async unsubscribePage(@Query('token') token?: string) {
    const id = this.verified('unsubscribe', token);
    const found = await this.commands.get(id);
    if (!found) throw new ProblemError(404, 'Not found', GONE);
    const s = found.state;
    if (s.status === 'cancelled')
      return page(
        'You are unsubscribed',
        `<p>${escapeHtml(s.recipient)} gets no more mail from "${escapeHtml(s.name)}".</p>`,
      );
    return page(
      'Unsubscribe?',
      `<p>Stop the frictionwatch alerts "${escapeHtml(s.name)}" (${escapeHtml(s.delivery)}) to ${escapeHtml(s.recipient)}?</p>
<form method="post" action="?token=${encodeURIComponent(token ?? '')}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit" style="font-size:16px;padding:8px 16px">Unsubscribe</button></form>`,
    );
  }

  @Post('unsubscribe')
  @ApiOperation({
    summary: 'One-click unsubscribe (RFC 8058: List-Unsubscribe=One-Click); cancelling twice is a no-op',
  })
  @TokenQuery
  @ApiOkResponse({ description: 'An HTML page' })
  @ApiProblems(403, 404)
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async unsubscribe(@Query('token') token?: string) {
    const id = this.verified('unsubscribe', token);
    const state = await orNotFound(() => this.commands.cancel(id, 'unsubscribed'), GONE);
    return page(
      'You are unsubscribed',
      `<p>${escapeHtml(state.recipient)} gets no more mail from "${escapeHtml(state.name)}".</p>`,
    );
  }

  @Get('subscriptions/confirm')
  @ApiOperation({ summary: 'A page with the double opt-in confirmation button' })
  @TokenQuery
  @ApiOkResponse({ description: 'An HTML page' })
  @ApiProblems(403, 404)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async confirmPage(@Query('token') token?: string) {
    this.verified('confirm', token);
    return page(
      'Confirm your subscription',
      `<form method="post" action="?token=${encodeURIComponent(token ?? '')}"><button type="submit" style="font-size:16px;padding:8px 16px">Confirm</button></form>`,
    );
  }

  @Post('subscriptions/confirm')
  @ApiOperation({ summary: 'Confirms a double opt-in subscription (SubscriptionConfirmed)' })
  @TokenQuery
  @ApiOkResponse({ description: 'An HTML page' })
  @ApiProblems(403, 404)
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  async confirm(@Query('token') token?: string) {
    const id = this.verified('confirm', token);
    const state = await orNotFound(() => this.commands.confirm(id), GONE);
    return page(
      'Subscription confirmed',
      `<p>"${escapeHtml(state.name)}" will now mail ${escapeHtml(state.recipient)}.</p>`,
    );
  }

  private verified(purpose: TokenPurpose, token: string | undefined): string {
    const id = token ? verifyToken(this.config.ALERTS_TOKEN_SECRET, purpose, token) : null;
    if (!id)
      throw new ProblemError(403, 'Forbidden', 'This link is not valid (its signature does not match)');
    return id;
  }
}
