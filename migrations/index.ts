// Every migration, in order. The API and the test set-up run these classes; a unit test checks that each
// file in this folder is listed here.
import { InitialSchema1795388488337 } from './1795388488337-InitialSchema';
import { AddEventTransactionIds1795390172694 } from './1795390172694-AddEventTransactionIds';
import { AddEmailChannel1795391807741 } from './1795391807741-AddEmailChannel';
import { AddSla1795392637339 } from './1795392637339-AddSla';
import { AddInsights1795398519594 } from './1795398519594-AddInsights';
import { AddCannedReplies1795398394288 } from './1795398394288-AddCannedReplies';
import { AddLinkedIssues1795398520190 } from './1795398520190-AddLinkedIssues';
import { AddRouting1795399000000 } from './1795399000000-AddRouting';
import { AddInboundEmailTicketIndex1795402064096 } from './1795402064096-AddInboundEmailTicketIndex';
import { GrantReportRead1795402500000 } from './1795402500000-GrantReportRead';
import { AddSlaDueIndexes1795409573184 } from './1795409573184-AddSlaDueIndexes';
import { AddMacroActions1795415100927 } from './1795415100927-AddMacroActions';
import { AnalyzeHotTablesSooner1795420000000 } from './1795420000000-AnalyzeHotTablesSooner';
import { CompressRawMailWithLz41795430000000 } from './1795430000000-CompressRawMailWithLz4';
import { IndexWaitingMailOnly1795440000000 } from './1795440000000-IndexWaitingMailOnly';

export const MIGRATIONS: Function[] = [
  InitialSchema1795388488337,
  AddEventTransactionIds1795390172694,
  AddEmailChannel1795391807741,
  AddSla1795392637339,
  AddCannedReplies1795398394288,
  AddInsights1795398519594,
  AddLinkedIssues1795398520190,
  AddRouting1795399000000,
  AddInboundEmailTicketIndex1795402064096,
  GrantReportRead1795402500000,
  AddSlaDueIndexes1795409573184,
  AddMacroActions1795415100927,
  AnalyzeHotTablesSooner1795420000000,
  CompressRawMailWithLz41795430000000,
  IndexWaitingMailOnly1795440000000,
];
