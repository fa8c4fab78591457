import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { pageOf } from '@holdfast/pagination';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/auth.decorators';
import { DevEmailListDto, ListDevEmailsQueryDto } from './dto/dev-email.dto';
import { NotificationsService } from './notifications.service';

/**
 * The dev outbox: what was "sent" while SMTP_URL is unset. Registered only with
 * AUTH_MODE=dev (NotificationsModule.forRoot), so a newcomer's walk-through can show the
 * confirmation email.
 */
@ApiTags('dev')
@Controller('dev/emails')
export class DevEmailsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({
    summary: 'Read the dev outbox (AUTH_MODE=dev only)',
    description:
      "The emails sent while SMTP_URL is unset, newest first: those about your own reservations (admins: everyone's). " +
      'Not registered when AUTH_MODE=jwks; with SMTP_URL set, email goes to the SMTP server instead and nothing new lands here.',
  })
  @ApiOkResponse({ type: DevEmailListDto })
  @ApiErrors('VALIDATION_FAILED', 'UNAUTHORIZED')
  async list(@Query() query: ListDevEmailsQueryDto, @CurrentUser() user: AuthUser): Promise<DevEmailListDto> {
    const { emails, total } = await this.notifications.devEmails({
      userId: user.roles.includes('admin') ? undefined : user.sub,
      reservationId: query.reservationId,
      limit: query.limit,
      offset: query.offset,
    });
    return {
      emails: emails.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
      pagination: pageOf(total, query.limit, query.offset),
    };
  }
}
