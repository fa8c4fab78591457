import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { Request, Response } from 'express';
import { GRAPHQL_PATH } from '../config/api-paths';
import { PaymentsModule } from '../payments/payments.module';
import { PaymentsService } from '../payments/payments.service';
import { RentalsModule } from '../rentals/rentals.module';
import { RentalsService } from '../rentals/rentals.service';
import { ReservationsModule } from '../reservations/reservations.module';
import { SupportModule } from '../support/support.module';
import { AdminGraphqlConfig } from './admin-graphql.config';
import { GraphqlEndpointController } from './graphql-endpoint.controller';
import { formatGraphqlError } from './graphql-errors';
import { type AdminGraphqlContext, createLoaders } from './loaders';
import { OperationsResolver } from './operations.resolver';
import { costLimitPlugin, depthLimitRule } from './query-limits';
import { RentalsResolver } from './rentals.resolver';
import { ReservationsResolver } from './reservations.resolver';

/**
 * The admin dashboard's GraphQL API (DESIGN.md section 14): code-first, Apollo Server 5
 * on Express at POST /graphql, admins only. Resolvers call the modules' services (the
 * same as the REST admin routes), never their tables. docs/graphql.md.
 */
@Module({
  imports: [
    PaymentsModule,
    RentalsModule,
    ReservationsModule,
    SupportModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      imports: [PaymentsModule, RentalsModule],
      inject: [AdminGraphqlConfig, PaymentsService, RentalsService],
      useFactory: (config: AdminGraphqlConfig, payments: PaymentsService, rentals: RentalsService) => ({
        path: GRAPHQL_PATH,
        // Apollo's stop() drains (and after 10 s cuts) every HTTP connection of the server:
        // run it after our own graceful drain (readiness 503, requests finished), not before.
        stopOnApplicationShutdown: true,
        // Written in development (checked in) and under tests (compared with it); built in memory in production.
        autoSchemaFile: config.schemaFile ?? true,
        sortSchema: true,
        introspection: config.introspection,
        graphiql: false, // no landing page: the API is for the dashboard, and helmet's CSP would block one anyway
        includeStacktraceInErrorResponses: false,
        csrfPrevention: true,
        validationRules: [depthLimitRule(config.maxDepth)],
        plugins: [costLimitPlugin(config.maxCost)],
        formatError: formatGraphqlError,
        context: ({ req, res }: { req: Request; res: Response }): AdminGraphqlContext => ({
          req: req as unknown as AdminGraphqlContext['req'],
          res,
          loaders: createLoaders(payments, rentals),
        }),
      }),
    }),
  ],
  controllers: [GraphqlEndpointController],
  providers: [RentalsResolver, ReservationsResolver, OperationsResolver],
})
export class AdminGraphqlModule {}
