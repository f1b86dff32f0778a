import { readFileSync } from 'fs';
import { join } from 'path';
import { API_NODE_FLAGS, apiWorkerCount, workerExecArgv } from './cluster';

describe('the API processes forked by serve', () => {
  const GC = ['--single-threaded-gc', '--heap-growing-percent=100', '--no-memory-reducer'];

  it('get the larger young generation and the GC flags of an API process', () => {
    expect(workerExecArgv([])).toEqual(['--max-semi-space-size=64', ...GC]);
    expect(workerExecArgv(['--enable-source-maps'])).toEqual([
      '--enable-source-maps',
      '--max-semi-space-size=64',
      ...GC,
    ]);
  });

  it('keep what the primary was given', () => {
    expect(workerExecArgv(GC)).toEqual([...GC, '--max-semi-space-size=64']);
    expect(workerExecArgv(['--no-single-threaded-gc', '--max-semi-space-size=16'])).toEqual([
      '--no-single-threaded-gc',
      '--max-semi-space-size=16',
      '--heap-growing-percent=100',
      '--no-memory-reducer',
    ]);
    expect(workerExecArgv(['--concurrent-marking', '--heap_growing_percent=50', '--memory-reducer'])).toEqual([
      '--concurrent-marking',
      '--heap_growing_percent=50',
      '--memory-reducer',
      '--max-semi-space-size=64',
    ]);
    expect(workerExecArgv([], '--max-semi-space-size=32')).toEqual(GC);
  });

  it('are as many as API_WORKERS says', () => {
    expect(apiWorkerCount('3')).toBe(3);
    expect(apiWorkerCount('0')).toBe(1);
    expect(apiWorkerCount('auto')).toBeGreaterThanOrEqual(1);
  });

  it('get the same flags from every start command', () => {
    const root = join(__dirname, '../../..');
    const commands = [
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts['start:api'],
      readFileSync(join(root, 'scripts/start.sh'), 'utf8').match(/exec node .*serve/)![0],
      readFileSync(join(root, 'docker/Dockerfile'), 'utf8').match(/^CMD .*$/m)![0],
      readFileSync(join(root, 'docker/docker-compose.yml'), 'utf8').match(/command: \["node".*"serve"\]/)![0],
    ];
    for (const command of commands) for (const flag of API_NODE_FLAGS) expect(command).toContain(flag);
  });
});
