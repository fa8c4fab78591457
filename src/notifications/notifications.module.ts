import { type DynamicModule, Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module';
import { DevEmailsController } from './dev-emails.controller';
import { DevOutboxSender } from './dev-outbox.sender';
import { EMAIL_SENDER } from './email-sender.port';
import { NotificationMetrics } from './notification-metrics';
import { NotificationsConfig } from './notifications.config';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { SmtpSender } from './smtp.sender';

/**
 * Email through the job queue (NotificationsService.queueEmail), sent over SMTP when
 * SMTP_URL is set, else into the dev outbox. The static module is what other modules
 * import; `forRoot` (in AppModule) adds GET /v1/dev/emails with AUTH_MODE=dev.
 */
@Module({
  imports: [FlagsModule],
  providers: [
    NotificationsRepository,
    NotificationMetrics,
    NotificationsService,
    {
      provide: EMAIL_SENDER,
      inject: [NotificationsConfig, NotificationsRepository],
      useFactory: (config: NotificationsConfig, repo: NotificationsRepository) =>
        config.smtpUrl ? new SmtpSender(config.smtpUrl, config.from) : new DevOutboxSender(repo),
    },
  ],
  exports: [NotificationsService],
})
export class NotificationsModule {}

/** GET /v1/dev/emails, registered only when the config says so (AUTH_MODE=dev). */
@Module({})
export class DevEmailsModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: DevEmailsModule,
      imports: [NotificationsModule],
      controllers: config.devRoutes ? [DevEmailsController] : [],
    };
  }
}
