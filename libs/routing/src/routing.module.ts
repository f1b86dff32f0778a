import { DynamicModule, Module, ModuleMetadata, Provider } from '@nestjs/common';
import { EscalationService } from './escalation.service';
import { NotificationsService } from './notifications.service';
import { RoutingEventsService } from './routing-events.service';
import { RoutingService } from './routing.service';
import { ReviewService } from './review.service';
import { DigestService } from './digest.service';
import { PRESENCE_READER } from './presence';

const SERVICES = [
  RoutingService,
  EscalationService,
  NotificationsService,
  RoutingEventsService,
  ReviewService,
  DigestService,
];

/**
 * Routing rules, assignment, escalation, grants and notifications. The importing app provides `PRESENCE_READER`
 * (who is online) and `NOTIFICATION_SINK` (live delivery), so routing never imports realtime.
 */
@Module({})
export class RoutingModule {
  static register(opts: { imports?: ModuleMetadata['imports']; providers: Provider[] }): DynamicModule {
    return {
      module: RoutingModule,
      global: true,
      imports: opts.imports ?? [],
      providers: [...opts.providers, ...SERVICES],
      exports: [...SERVICES, PRESENCE_READER],
    };
  }
}
