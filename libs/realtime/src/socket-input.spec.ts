import { Logger } from '@nestjs/common';
import { AppError, ErrorCode } from '@crewdesk/common';
import { toAck } from './socket-input';

describe('toAck', () => {
  it("gives an AppError's code and message", () => {
    expect(toAck(new AppError(ErrorCode.NOT_FOUND, 'Ticket not found'))).toEqual({
      code: 'NOT_FOUND',
      message: 'Ticket not found',
    });
  });

  it('answers text PostgreSQL cannot hold as the input’s fault', () => {
    const err = Object.assign(new Error('invalid byte sequence'), { driverError: { code: '22021' } });
    expect(toAck(err)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('logs anything else under an id that the ack carries, without details', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const ack = toAck(new Error('connection reset by peer'));
    expect(ack).toEqual({
      code: 'INTERNAL',
      message: `Something went wrong on our side (error id ${ack.errorId})`,
      errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(logged).toHaveBeenCalledWith(
      expect.objectContaining({ errorId: ack.errorId, err: expect.any(Error) }),
      'Unhandled error in a socket event',
    );
    logged.mockRestore();
  });
});
