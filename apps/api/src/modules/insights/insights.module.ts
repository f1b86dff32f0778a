import { Module } from '@nestjs/common';
import { InsightsModule } from '@crewdesk/insights';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { ReportsController } from './reports.controller';
import {
  PortalSurveyController,
  PublicSurveyController,
  SurveySettingsController,
  TicketSurveyController,
  TouchpointsController,
} from './surveys.controller';

/** Reports, scorecards, touchpoints and surveys (libs/insights does the work). */
@Module({
  imports: [InsightsModule, WorkspacesModule],
  controllers: [
    ReportsController,
    TicketSurveyController,
    PublicSurveyController,
    PortalSurveyController,
    TouchpointsController,
    SurveySettingsController,
  ],
})
export class InsightsApiModule {}
