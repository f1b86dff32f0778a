import { HttpStatus } from '@nestjs/common';
import { AppError, ErrorCode } from '@crewdesk/common';

/** The stable error codes of insights (clients switch on them; never rename one). */
export enum InsightsErrorCode {
  /** A survey link that was forged, altered or cut short. */
  SURVEY_LINK_INVALID = 'SURVEY_LINK_INVALID',
  /** A genuine survey link whose answer window has closed. */
  SURVEY_LINK_EXPIRED = 'SURVEY_LINK_EXPIRED',
  /** A report period that is empty, reversed or longer than allowed, or an unknown time zone. */
  REPORT_RANGE_INVALID = 'REPORT_RANGE_INVALID',
}

const STATUS: Record<InsightsErrorCode, HttpStatus> = {
  SURVEY_LINK_INVALID: HttpStatus.BAD_REQUEST,
  SURVEY_LINK_EXPIRED: HttpStatus.GONE,
  REPORT_RANGE_INVALID: HttpStatus.BAD_REQUEST,
};

/** An AppError with an insights code: the one global filter maps it to `{ code, message, details }`. */
export class InsightsError extends AppError {
  constructor(code: InsightsErrorCode, message: string, details?: unknown) {
    super(code as unknown as ErrorCode, message, details);
    Object.defineProperty(this, 'status', { value: STATUS[code] });
  }
}
