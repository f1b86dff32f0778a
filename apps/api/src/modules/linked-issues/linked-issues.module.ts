import { Module } from '@nestjs/common';
import { LinkedIssuesModule } from '@crewdesk/routing';
import { LinkedIssuesController } from './linked-issues.controller';

@Module({ imports: [LinkedIssuesModule], controllers: [LinkedIssuesController] })
export class LinkedIssuesApiModule {}
