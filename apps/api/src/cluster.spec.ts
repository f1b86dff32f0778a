import { apiWorkerCount, workerExecArgv } from './cluster';

describe('the API processes forked by serve', () => {
  it('get the larger young generation and the GC on the event loop', () => {
    expect(workerExecArgv([])).toEqual(['--max-semi-space-size=64', '--single-threaded-gc']);
    expect(workerExecArgv(['--enable-source-maps'])).toEqual([
      '--enable-source-maps',
      '--max-semi-space-size=64',
      '--single-threaded-gc',
    ]);
  });

  it('keep what the primary was given', () => {
    expect(workerExecArgv(['--single-threaded-gc'])).toEqual(['--single-threaded-gc', '--max-semi-space-size=64']);
    expect(workerExecArgv(['--no-single-threaded-gc', '--max-semi-space-size=16'])).toEqual([
      '--no-single-threaded-gc',
      '--max-semi-space-size=16',
    ]);
    expect(workerExecArgv(['--concurrent-marking'])).toEqual(['--concurrent-marking', '--max-semi-space-size=64']);
    expect(workerExecArgv([], '--max-semi-space-size=32')).toEqual(['--single-threaded-gc']);
  });

  it('are as many as API_WORKERS says', () => {
    expect(apiWorkerCount('3')).toBe(3);
    expect(apiWorkerCount('0')).toBe(1);
    expect(apiWorkerCount('auto')).toBeGreaterThanOrEqual(1);
  });
});
