import { ChildProcess, execFileSync, spawn } from 'child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'fs';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'fs/promises';
import { createServer, Socket } from 'net';
import { tmpdir, userInfo } from 'os';
import { delimiter, join } from 'path';

/** Where `dovecot` is: DOVECOT_PATH, the PATH, or the sbin directories a non-root PATH often lacks. */
export function findDovecot(): string | null {
  const candidates = process.env.DOVECOT_PATH
    ? [process.env.DOVECOT_PATH]
    : [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin']
        .filter(Boolean)
        .map((dir) => join(dir, 'dovecot'));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // next
    }
  }
  return null;
}

export const DOVECOT_MISSING =
  "dovecot is not installed, and the IMAP tests need a real IMAP server: install Debian's dovecot-imapd " +
  '(`sudo apt-get install dovecot-imapd`; `npm test` installs it when run as root), or set DOVECOT_PATH.';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once something answers an IMAP greeting on the port. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (d) => done(d.toString().startsWith('* OK')));
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * A throw-away Dovecot IMAP server for one test file: its own directory (config, passwd file, maildirs, sockets,
 * state, log), 127.0.0.1 on a free port, plain LOGIN without TLS, run in the foreground as a child process.
 */
export class Dovecot {
  readonly host = '127.0.0.1';
  port = 0;
  dir = '';
  readonly user = 'helpdesk';
  readonly password = 'imap-test-password';
  private child?: ChildProcess;
  private exited?: Promise<void>;

  /** Fails (never skips) when dovecot is missing, saying how to install it. */
  static async start(): Promise<Dovecot> {
    const binary = findDovecot();
    if (!binary) throw new Error(DOVECOT_MISSING);
    const d = new Dovecot();
    await d.launch(binary);
    return d;
  }

  private async launch(binary: string): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'crewdesk-dovecot-'));
    // Dovecot opens the base directory to its unprivileged login processes: the temp dir must be traversable.
    await chmod(this.dir, 0o755);
    this.port = await freePort();
    const me = userInfo();
    const root = me.uid === 0;
    // Dovecot refuses mail processes as root: as root, the mailbox belongs to nobody (65534).
    const mailUid = root ? 65534 : me.uid;
    const mailGid = root ? 65534 : me.gid;
    const home = join(this.dir, 'mail', this.user);
    await mkdir(home, { recursive: true });
    await chown(join(this.dir, 'mail'), mailUid, mailGid);
    await chown(home, mailUid, mailGid);
    for (const sub of ['run', 'state']) await mkdir(join(this.dir, sub));
    await writeFile(
      join(this.dir, 'passwd'),
      `${this.user}:{PLAIN}${this.password}:${mailUid}:${mailGid}::${home}::\n`,
    );
    const unprivileged = root
      ? []
      : [
          // Not root: every Dovecot process runs as this user.
          `default_internal_user = ${me.username}`,
          `default_internal_group = ${execFileSync('id', ['-gn']).toString().trim()}`,
          `default_login_user = ${me.username}`,
          // chroot needs root.
          'service anvil {',
          '  chroot =',
          '}',
        ];
    const conf = [
      'protocols = imap',
      `listen = ${this.host}`,
      `base_dir = ${join(this.dir, 'run')}`,
      `state_dir = ${join(this.dir, 'state')}`,
      `log_path = ${join(this.dir, 'dovecot.log')}`,
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      'login_trusted_networks = 127.0.0.0/8',
      'first_valid_uid = 1',
      'mail_location = maildir:~/Maildir',
      // IDLE notices new mail through inotify; where that is missing, within a second rather than 30.
      'mailbox_idle_check_interval = 1 secs',
      ...unprivileged,
      'passdb {',
      '  driver = passwd-file',
      `  args = scheme=PLAIN username_format=%u ${join(this.dir, 'passwd')}`,
      '}',
      'userdb {',
      '  driver = passwd-file',
      `  args = username_format=%u ${join(this.dir, 'passwd')}`,
      '}',
      'service imap-login {',
      ...(root ? [] : ['  chroot =']),
      '  inet_listener imap {',
      `    address = ${this.host}`,
      `    port = ${this.port}`,
      '  }',
      '  inet_listener imaps {',
      '    port = 0',
      '  }',
      '}',
      '',
    ].join('\n');
    const confPath = join(this.dir, 'dovecot.conf');
    await writeFile(confPath, conf);

    // Its own process group (master, log, auth, imap processes), so stop() ends every one of them; output goes to
    // a file, not a pipe, so nothing of it keeps the test process alive.
    const out = openSync(join(this.dir, 'stderr.log'), 'w');
    let exitCode: number | null = null;
    try {
      const child = spawn(binary, ['-F', '-c', confPath], { stdio: ['ignore', out, out], detached: true });
      this.child = child;
      this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
      child.once('exit', (code) => (exitCode = code ?? -1));
      child.once('error', () => (exitCode = -1));
    } finally {
      closeSync(out);
    }
    process.once('exit', this.onExit);

    const until = Date.now() + 15_000;
    for (;;) {
      if (exitCode !== null) break;
      if (await greets(this.port)) return;
      if (Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const log = this.log();
    await this.stop();
    throw new Error(
      `Dovecot did not start on ${this.host}:${this.port}${exitCode !== null ? ` (exit ${exitCode})` : ''}:\n${log}`,
    );
  }

  /** Dovecot's output and log, for failure messages. */
  log(): string {
    return ['stderr.log', 'dovecot.log']
      .map((f) => {
        try {
          return readFileSync(join(this.dir, f), 'utf8');
        } catch {
          return '';
        }
      })
      .join('\n')
      .trim();
  }

  /** Signals the whole process group of the Dovecot we started; false once none of it is left. */
  private readonly killGroup = (signal: NodeJS.Signals | 0 = 'SIGTERM'): boolean => {
    const pid = this.child?.pid;
    if (!pid) return false;
    try {
      process.kill(-pid, signal);
      return true;
    } catch {
      return false;
    }
  };

  /** A test process ending without stop() (a crash, a timeout) takes its Dovecot with it. */
  private readonly onExit = () => void this.killGroup('SIGTERM');

  /** Settings for a channel's `imap` field. */
  imapSettings(mailbox = 'INBOX') {
    return { host: this.host, port: this.port, secure: false, user: this.user, password: this.password, mailbox };
  }

  async stop(): Promise<void> {
    process.removeListener('exit', this.onExit);
    if (this.child?.pid) {
      this.killGroup('SIGTERM');
      // The master exits first; its log, stats and imap processes a moment later.
      const until = Date.now() + 10_000;
      while (this.killGroup(0)) {
        if (Date.now() > until) {
          this.killGroup('SIGKILL');
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await this.exited;
      this.child = undefined;
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
