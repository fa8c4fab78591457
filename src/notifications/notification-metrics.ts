import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics.registry';
import { EMAIL_TEMPLATES, type EmailTemplate } from './notifications.types';

/** What happened to an email: queued, sent, suppressed (flag off), deferred (to be retried), failed (dead-lettered). */
const OUTCOMES = ['queued', 'sent', 'suppressed', 'deferred', 'failed'] as const;
export type EmailOutcome = (typeof OUTCOMES)[number];

/** `emails_total{template,outcome}`, counted by this replica. */
@Injectable()
export class NotificationMetrics {
  private readonly emails: Counter<'template' | 'outcome'>;

  constructor(registry: MetricsRegistry) {
    this.emails = new Counter({
      name: 'emails_total',
      help: 'Emails by template and outcome: queued, sent, suppressed (notifications.email off), deferred (will be retried), failed (dead-lettered)',
      labelNames: ['template', 'outcome'],
      registers: [registry],
    });
    // Every series from the start, so a rate or an alert sees the first failure.
    for (const template of EMAIL_TEMPLATES) for (const outcome of OUTCOMES) this.emails.inc({ template, outcome }, 0);
  }

  count(template: EmailTemplate, outcome: EmailOutcome): void {
    this.emails.inc({ template, outcome });
  }
}
